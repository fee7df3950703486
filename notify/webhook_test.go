package notify_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/clariwatch/clariwatch/notify"
)

func TestSignWebhookKnownAnswer(t *testing.T) {
	// The Standard Webhooks reference libraries' test vector.
	key, err := notify.ParseWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := notify.SignWebhook(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("SignWebhook = %q, want %q", got, want)
	}
	bare, err := notify.ParseWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil || string(bare) != string(key) {
		t.Errorf("secret without whsec_ decoded to %x, %v; want %x", bare, err, key)
	}
	for _, bad := range []string{"", "whsec_", "whsec_***"} {
		if _, err := notify.ParseWebhookSecret(bad); err == nil {
			t.Errorf("ParseWebhookSecret(%q) succeeded, want an error", bad)
		}
	}
}

type hookRequest struct {
	header http.Header
	body   []byte
}

// hookServer responds with the given statuses in order, then 200.
func hookServer(t *testing.T, statuses ...int) (*httptest.Server, func() []hookRequest) {
	var mu sync.Mutex
	var got []hookRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, hookRequest{r.Header.Clone(), body})
		status := 200
		if len(statuses) > 0 {
			status, statuses = statuses[0], statuses[1:]
		}
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []hookRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]hookRequest(nil), got...)
	}
}

func TestWebhookSignsAndRetries(t *testing.T) {
	srv, requests := hookServer(t, 503, 202)
	clock := newFakeClock(true)
	key := []byte("0123456789abcdef0123456789abcdef")
	w, err := notify.NewWebhook(srv.URL, &notify.WebhookOptions{SecretBytes: key, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	m := notify.RenderReport(sampleReport(), &notify.RenderOptions{Key: "acme:2026-Q3:s1:s2"})
	if err := w.Notify(t.Context(), m); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	reqs := requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2", len(reqs))
	}
	var stamps []int64
	for i, r := range reqs {
		id := r.header.Get(notify.HeaderWebhookID)
		if id != "acme:2026-Q3:s1:s2" {
			t.Errorf("request %d webhook-id = %q, want the message key", i, id)
		}
		ts, err := strconv.ParseInt(r.header.Get(notify.HeaderWebhookTimestamp), 10, 64)
		if err != nil {
			t.Fatalf("request %d timestamp: %v", i, err)
		}
		stamps = append(stamps, ts)
		if want := notify.SignWebhook(key, id, ts, r.body); r.header.Get(notify.HeaderWebhookSignature) != want {
			t.Errorf("request %d signature = %q, want %q", i, r.header.Get(notify.HeaderWebhookSignature), want)
		}
	}
	if stamps[1]-stamps[0] != 1 {
		t.Errorf("retry timestamps %v, want the retry signed 1 s later", stamps)
	}
	var got struct {
		Key    string `json:"key"`
		Report struct {
			Changes []map[string]any `json:"changes"`
		} `json:"report"`
	}
	if err := json.Unmarshal(reqs[0].body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Key != m.Key || len(got.Report.Changes) != 4 || got.Report.Changes[0]["ownerId"] != "u1" {
		t.Errorf("body = %s, want the key and the report with diff field names", reqs[0].body)
	}
}

func TestWebhookErrors(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		status    int
		gone      bool
		temporary bool
		attempts  int
	}{
		{"gone", []int{410}, 410, true, false, 1},
		{"bad request", []int{400}, 400, false, false, 1},
		{"redirect not followed", []int{302}, 302, false, false, 1},
		{"server error exhausted", []int{502, 502, 502}, 502, false, true, 3},
		{"429 exhausted", []int{429, 429, 429}, 429, false, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := hookServer(t, tt.statuses...)
			w, err := notify.NewWebhook(srv.URL, &notify.WebhookOptions{
				Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Clock: newFakeClock(true),
				RetryOptions: notify.RetryOptions{RetryMax: 2},
			})
			if err != nil {
				t.Fatal(err)
			}
			err = w.Notify(t.Context(), &notify.Message{Key: "k", Text: "x"})
			var we *notify.WebhookError
			if !errors.As(err, &we) {
				t.Fatalf("err = %v, want a *WebhookError", err)
			}
			if we.StatusCode != tt.status || we.Attempts != tt.attempts {
				t.Errorf("status %d after %d attempts, want %d after %d", we.StatusCode, we.Attempts, tt.status, tt.attempts)
			}
			if errors.Is(err, notify.ErrGone) != tt.gone {
				t.Errorf("errors.Is(err, ErrGone) = %v, want %v", !tt.gone, tt.gone)
			}
			if we.Temporary() != tt.temporary {
				t.Errorf("Temporary() = %v, want %v", we.Temporary(), tt.temporary)
			}
		})
	}
}

func TestNewWebhookNeedsSecret(t *testing.T) {
	if _, err := notify.NewWebhook("http://127.0.0.1:1/x", nil); err == nil {
		t.Error("NewWebhook without a secret succeeded, want an error")
	}
}

func TestDeliveryID(t *testing.T) {
	tests := []struct{ key, want string }{
		{"acme:2026-Q3:a:b", "acme:2026-Q3:a:b"},
		{"has.dot", "msg_"},
		{"has space", "msg_"},
		{"", "msg_"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got := notify.DeliveryID(tt.key, []byte("{}"))
			if got != tt.want && (tt.want != "msg_" || len(got) != 36 || got[:4] != "msg_") {
				t.Errorf("DeliveryID(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
	if notify.DeliveryID("a.b", nil) != notify.DeliveryID("a.b", []byte("other")) {
		t.Error("a derived id depends on the body, want it to depend on the key only")
	}
}
