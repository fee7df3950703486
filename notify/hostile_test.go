package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/notify/slacktest"
)

// hangGuard bounds a wait that only a bug makes hang, so that the bug
// fails the test instead of the whole run.
const hangGuard = 20 * time.Second

func TestMultiRecoversPanic(t *testing.T) {
	var sent sync.WaitGroup
	sent.Add(1)
	ok := notify.Func(func(context.Context, *notify.Message) error { sent.Done(); return nil })
	boom := notify.Func(func(context.Context, *notify.Message) error { panic("boom") })
	err := notify.Multi(notify.Named("pager", boom), ok).Notify(t.Context(), &notify.Message{Text: "x"})
	if err == nil {
		t.Fatal("Multi with a panicking notifier returned nil, want an error")
	}
	if !strings.Contains(err.Error(), "pager") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %q, want the notifier name and the panic value", err)
	}
	sent.Wait()
}

func TestMultiReturnsWhenContextEnds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	done := make(chan struct{})
	// The blocked notifier ignores its context, as a buggy one might.
	blocked := notify.Func(func(context.Context, *notify.Message) error { <-release; return nil })
	ok := notify.Func(func(context.Context, *notify.Message) error { close(done); return nil })
	ctx, cancel := context.WithCancel(t.Context())
	result := make(chan error, 1)
	go func() {
		result <- notify.Multi(notify.Named("stuck", blocked), ok).Notify(ctx, &notify.Message{Text: "x"})
	}()
	<-done
	cancel()
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if err == nil || !strings.Contains(err.Error(), "stuck") {
			t.Errorf("err = %v, want it to name the blocked notifier", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Multi did not return after its context was canceled")
	}
}

// panickyTransport panics with a value that quotes the request URL.
type panickyTransport struct{}

func (panickyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	panic("transport bug for " + r.URL.String())
}

// errTransport fails every request with err(r).
type errTransport func(r *http.Request) error

func (f errTransport) RoundTrip(r *http.Request) (*http.Response, error) { return nil, f(r) }

// TestNoSecretInTransportFailures covers failures that the default test
// does not: TLS, redirects, DNS-style and path-quoting transport errors and
// a panicking transport.
func TestNoSecretInTransportFailures(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake fails on purpose
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, closed+r.URL.Path+"?again=1", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	following := &http.Client{} // follows redirects, unlike the default
	tests := []struct {
		name   string
		url    string
		client *http.Client
	}{
		{"TLS unknown authority", tlsSrv.URL + slacktest.WebhookPath, nil},
		{"redirect followed to a closed port", redirect.URL + slacktest.WebhookPath, following},
		{"DNS error", "https://hooks.invalid" + slacktest.WebhookPath, &http.Client{Transport: errTransport(func(r *http.Request) error {
			return &net.DNSError{Err: "no such host", Name: r.URL.Host + r.URL.Path, IsNotFound: true}
		})}},
		{"error quoting the escaped path", "https://hooks.invalid" + slacktest.WebhookPath + "?x=%41", &http.Client{Transport: errTransport(func(r *http.Request) error {
			return fmt.Errorf("proxy: %s?%s", r.URL.EscapedPath(), r.URL.RawQuery)
		})}},
	}
	var logs logBuffer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSlack(t, tt.url, newFakeClock(true), &notify.SlackOptions{
				Logger: newLogger(&logs), HTTPClient: tt.client, RetryOptions: notify.RetryOptions{RetryMax: 1},
			})
			err := s.Notify(t.Context(), &notify.Message{Text: "x"})
			if err == nil {
				t.Fatal("Notify succeeded, want an error")
			}
			assertNoWebhookPath(t, "error", err.Error())
		})
	}
	assertNoWebhookPath(t, "log", logs.String())

	t.Run("panicking transport", func(t *testing.T) {
		s := newSlack(t, "https://hooks.invalid"+slacktest.WebhookPath, newFakeClock(true), &notify.SlackOptions{
			HTTPClient: &http.Client{Transport: panickyTransport{}},
		})
		err := notify.Multi(s).Notify(t.Context(), &notify.Message{Text: "x"})
		if err == nil {
			t.Fatal("Notify succeeded, want the panic as an error")
		}
		assertNoWebhookPath(t, "error", err.Error())
	})
}

func assertNoWebhookPath(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{slacktest.WebhookPath, "XXXXXXXXXXXXXXXXXXXXXXXX"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains %q:\n%s", what, secret, s)
		}
	}
}

func TestSlackCancelDuringRetryAfter(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	srv.Script(slacktest.RateLimited(50))
	arrived := make(chan struct{})
	var once sync.Once
	// The system clock: the wait is real, so only cancellation ends it.
	s := newSlack(t, srv.WebhookURL(), nil, &notify.SlackOptions{
		HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := http.DefaultTransport.RoundTrip(r)
			once.Do(func() { close(arrived) })
			return resp, err
		})},
	})
	ctx, cancel := context.WithCancel(t.Context())
	result := make(chan error, 1)
	go func() { result <- s.Notify(ctx, &notify.Message{Text: "x"}) }()
	<-arrived
	cancel()
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Notify kept waiting for Retry-After after its context was canceled")
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("got %d requests, want 1", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSlack429WithoutRetryAfterNotHotLooped(t *testing.T) {
	clock := newFakeClock(true)
	srv := slacktest.NewServer(&slacktest.Options{Now: clock.Now})
	defer srv.Close()
	for range 5 {
		srv.Script(slacktest.MessageLimitExceeded)
	}
	s := newSlack(t, srv.WebhookURL(), clock, &notify.SlackOptions{
		// A zero minimum wait must not turn into back-to-back retries.
		RetryOptions: notify.RetryOptions{RetryWaitMin: time.Nanosecond},
	})
	err := s.Notify(t.Context(), &notify.Message{Text: "x"})
	var se *notify.SlackError
	if !errors.As(err, &se) || se.Code != "message_limit_exceeded" || se.Attempts != 5 {
		t.Fatalf("err = %v, want message_limit_exceeded after 5 attempts", err)
	}
	reqs := srv.Requests()
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].Time.Sub(reqs[i-1].Time); gap < time.Second {
			t.Errorf("gap before attempt %d = %v, want at least 1s", i+1, gap)
		}
	}
}

// verifyStandardWebhook checks a Standard Webhooks delivery without the
// package's own signing code: HMAC-SHA256 under key of "id.timestamp.body",
// base64, as one "v1,<sig>" entry of a space-separated list.
func verifyStandardWebhook(key []byte, h http.Header, body []byte) error {
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	if id == "" || ts == "" || strings.Contains(id, ".") {
		return fmt.Errorf("invalid webhook-id %q or webhook-timestamp %q", id, ts)
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return fmt.Errorf("webhook-timestamp %q is not Unix seconds", ts)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	want := mac.Sum(nil)
	for _, entry := range strings.Fields(h.Get("webhook-signature")) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no v1 signature in %q matches", h.Get("webhook-signature"))
}

func TestVerifyStandardWebhookVector(t *testing.T) {
	// The published Standard Webhooks test vector checks the verifier.
	key, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v2,abc v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	if err := verifyStandardWebhook(key, h, []byte(`{"test": 2432232314}`)); err != nil {
		t.Fatal(err)
	}
	if err := verifyStandardWebhook(key, h, []byte(`{"test":2432232314}`)); err == nil {
		t.Error("a changed body verified, want a mismatch")
	}
}

func TestWebhookSignatureIndependent(t *testing.T) {
	srv, requests := hookServer(t, 500, 204)
	clock := newFakeClock(true)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	w, err := notify.NewWebhook(srv.URL, &notify.WebhookOptions{Secret: secret, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"acme:2026-Q3:s1:s2", "key.with dots & spaces"} {
		m := notify.RenderReport(sampleReport(), &notify.RenderOptions{Key: k})
		if err := w.Notify(t.Context(), m); err != nil {
			t.Fatalf("Notify(%q): %v", k, err)
		}
	}
	reqs := requests()
	if len(reqs) != 3 {
		t.Fatalf("got %d requests, want 3 (one retry)", len(reqs))
	}
	for i, r := range reqs {
		if err := verifyStandardWebhook(key, r.header, r.body); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if reqs[0].header.Get("webhook-id") != reqs[1].header.Get("webhook-id") {
		t.Error("the retry changed webhook-id, want the same delivery key")
	}
	first, _ := strconv.ParseInt(reqs[0].header.Get("webhook-timestamp"), 10, 64)
	retry, _ := strconv.ParseInt(reqs[1].header.Get("webhook-timestamp"), 10, 64)
	if retry <= first {
		t.Errorf("timestamps %d then %d, want the retry stamped later", first, retry)
	}
}

// TestEncodeSlackHostileNames renders many changes whose names are built
// from characters that stress the limits: surrogate pairs, combining marks,
// emoji sequences and runs of ampersands that grow five-fold on escaping.
func TestEncodeSlackHostileNames(t *testing.T) {
	names := map[string]string{
		"surrogate pairs":  strings.Repeat("𝔘𝔫𝔦😀", 400),
		"combining marks":  strings.Repeat("e\u0301\u0302\u0303", 800),
		"emoji sequences":  strings.Repeat("👩‍👩‍👧‍👦🏳️‍🌈", 200),
		"ampersands":       strings.Repeat("&", 2999),
		"angle brackets":   strings.Repeat("<>", 1600),
		"mixed entities":   strings.Repeat("a&<b>😀", 700),
		"invalid UTF-8":    strings.Repeat("\xff\xfe", 1000),
		"newline per char": strings.Repeat("&\n", 1600),
	}
	for label, name := range names {
		t.Run(label, func(t *testing.T) {
			r := manyChanges(120)
			for i := range r.Changes {
				r.Changes[i].Name = name
				r.Changes[i].FieldName = name[:min(len(name), 140)]
			}
			for _, max := range []int{0, -1} {
				m := notify.RenderReport(r, &notify.RenderOptions{MaxChanges: max, Stream: name, Currency: "€"})
				payloads, err := notify.EncodeSlack(m)
				if err != nil {
					t.Fatalf("EncodeSlack: %v", err)
				}
				arrows := 0
				for i, p := range payloads {
					got, err := slacktest.ValidateStrict(p)
					if err != nil {
						t.Fatalf("MaxChanges %d payload %d of %d: %v", max, i+1, len(payloads), err)
					}
					for _, b := range got.Blocks {
						if b.Text != nil {
							arrows += strings.Count(b.Text.Text, "→")
						}
					}
				}
				want := 10
				if max < 0 {
					want = countMoved(r)
				}
				if arrows < want {
					t.Errorf("MaxChanges %d: %d change lines in %d payloads, want %d", max, arrows, len(payloads), want)
				}
			}
		})
	}
}

func countMoved(r *diff.Report) int {
	n := 0
	for _, c := range r.Changes {
		if c.Kind != diff.KindAdded && c.Kind != diff.KindRemoved {
			n++
		}
	}
	return n
}

func TestEncodeSlackSplitKeepsFallbackText(t *testing.T) {
	// Text that fits the fallback alone but not with a part suffix such
	// as " (1/2)" must still reach the blocks in full.
	for _, n := range []int{470, 495, 499, 500} {
		text := strings.Repeat("a", n-3) + "END"
		m := &notify.Message{Title: "Title", Text: text}
		for range 60 {
			m.Sections = append(m.Sections, notify.Section{Text: "section"})
		}
		payloads, err := notify.EncodeSlack(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(payloads) < 2 {
			t.Fatalf("got %d payloads, want a split message", len(payloads))
		}
		found := false
		for i, p := range payloads {
			got, err := slacktest.ValidateStrict(p)
			if err != nil {
				t.Fatalf("payload %d: %v", i+1, err)
			}
			found = found || strings.Contains(got.Text, text)
			for _, b := range got.Blocks {
				found = found || (b.Text != nil && strings.Contains(b.Text.Text, text))
			}
		}
		if !found {
			t.Errorf("text of %d characters is in no fallback and no block", n)
		}
	}
}
