package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/notify/slacktest"
)

// leakyTransport fails every request with an error that quotes the URL.
type leakyTransport struct{}

func (leakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("proxy refused %s", r.URL)
}

// TestNoSecretInErrorsOrLogs drives every failure path of the Slack and
// webhook senders and checks that no error string and no log line holds
// the webhook URL's path or the signing secret.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + slacktest.WebhookPath
	ln.Close()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := 500
		for prefix, code := range map[string]int{"/gone/": 410, "/bad/": 400, "/redirect/": 302} {
			if strings.HasPrefix(r.URL.Path, prefix) {
				status = code
			}
		}
		if status == 302 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "echo %s", r.URL.Path+slacktest.WebhookPath)
	}))
	defer hook.Close()

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	type sendCase struct {
		name   string
		url    string
		script []slacktest.Answer
		client *http.Client
		ctx    context.Context
	}
	slackCases := []sendCase{
		{name: "no_service", url: srv.WebhookURL(), script: []slacktest.Answer{slacktest.NoService}},
		{name: "channel_is_archived", url: srv.WebhookURL(), script: []slacktest.Answer{slacktest.ChannelIsArchived}},
		{name: "action_prohibited", url: srv.WebhookURL(), script: []slacktest.Answer{slacktest.ActionProhibited}},
		{name: "rollup_error", url: srv.WebhookURL(), script: []slacktest.Answer{slacktest.RollupError, slacktest.RollupError, slacktest.RollupError}},
		{name: "429", url: srv.WebhookURL(), script: []slacktest.Answer{slacktest.RateLimited(2), slacktest.MessageLimitExceeded, slacktest.RateLimited(1)}},
		{name: "connection refused", url: closedURL},
		{name: "transport error quoting URL", url: srv.WebhookURL(), client: &http.Client{Transport: leakyTransport{}}},
		{name: "canceled", url: srv.WebhookURL(), ctx: canceled},
	}
	var logs logBuffer
	check := func(t *testing.T, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("send succeeded, want a failure")
		}
		for _, s := range []string{slacktest.WebhookPath, "XXXXXXXXXXXX", "T00000000", secret, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q contains secret %q", err, s)
			}
			if strings.Contains(logs.String(), s) {
				t.Errorf("log contains secret %q:\n%s", s, logs.String())
			}
		}
	}
	for _, tc := range slackCases {
		t.Run("slack "+tc.name, func(t *testing.T) {
			srv.Script(tc.script...)
			s := newSlack(t, tc.url, newFakeClock(true), &notify.SlackOptions{
				Logger: newLogger(&logs), HTTPClient: tc.client, RetryOptions: notify.RetryOptions{RetryMax: 2},
			})
			ctx := tc.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			err := notify.Multi(s).Notify(ctx, &notify.Message{Text: "x"})
			check(t, err)
		})
	}
	for _, path := range []string{"/gone", "/fail", "/bad", "/redirect"} {
		for _, u := range []string{hook.URL + path + slacktest.WebhookPath, closedURL} {
			t.Run("webhook "+path, func(t *testing.T) {
				w, err := notify.NewWebhook(u, &notify.WebhookOptions{
					Secret: secret, Logger: newLogger(&logs), Clock: newFakeClock(true),
					RetryOptions: notify.RetryOptions{RetryMax: 2},
				})
				if err != nil {
					t.Fatal(err)
				}
				check(t, w.Notify(t.Context(), &notify.Message{Key: "k", Text: "x"}))
			})
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry was logged, so the log check proved nothing:\n%s", logs.String())
	}
	for _, u := range []string{"http://%zz" + slacktest.WebhookPath, "relative" + slacktest.WebhookPath} {
		_, err := notify.NewWebhook(u, &notify.WebhookOptions{Secret: secret})
		check(t, err)
		_, err = notify.NewSlack(u, nil)
		check(t, err)
	}
	_, err = notify.NewWebhook(hook.URL, &notify.WebhookOptions{Secret: "whsec_!!" + secret})
	check(t, err)
	if errors.Is(err, notify.ErrGone) {
		t.Error("a bad secret matched ErrGone")
	}
}
