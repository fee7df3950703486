package copilot

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-03-04T10:00:00Z", "2026-03-04T10:00:00.123+02:00", "2026-03-04T10:00:00", "2026-03-04 10:00:00", "", "yesterday"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) location = %v, want UTC", s, got.Location())
		}
	})
}

func FuzzAPIErrorBody(f *testing.F) {
	for _, s := range []string{`{"message":"bad"}`, `{"error":"x"}`, `not json`, ``, `{"message":"SECRET-KEY"}`, "bad \xff body"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		resp := &http.Response{StatusCode: 500, Body: io.NopCloser(strings.NewReader(body))}
		e := newAPIError(resp, []string{"SECRET-KEY"})
		if strings.Contains(e.Message, "SECRET-KEY") || strings.Contains(e.Error(), "SECRET-KEY") {
			t.Errorf("message %q keeps the secret", e.Message)
		}
		if !utf8.ValidString(e.Message) {
			t.Errorf("message %q is not valid UTF-8", e.Message)
		}
		_ = e.Error()
	})
}

func FuzzSubscriptionList(f *testing.F) {
	for _, s := range []string{`[{"id":"a","url":"https://x","events":["call.completed"]}]`, `{"subscriptions":[]}`, `{}`, `[`, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var r rawSubscriptions
		_ = r.UnmarshalJSON([]byte(body))
	})
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"99999999", 0, false},
		{"Fri, 02 Jan 2026 15:04:05 GMT", 5 * time.Second, true},
		{"Fri, 02 Jan 2026 15:00:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBackoffCapsRetryAfter(t *testing.T) {
	r := &requester{policy: DefaultRetryPolicy(), now: time.Now}
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"3600"}}}
	if got := r.backoff(0, 0, 0, resp); got != time.Minute {
		t.Errorf("backoff with Retry-After 3600 = %v, want the 1m cap", got)
	}
	resp.Header.Del("Retry-After")
	if got := r.backoff(0, 0, 0, resp); got != 10*time.Second {
		t.Errorf("backoff without Retry-After = %v, want 10s", got)
	}
	for attempt := range 10 {
		got := r.backoff(0, 0, attempt, &http.Response{StatusCode: 503})
		if got > 30*time.Second || got < 500*time.Millisecond {
			t.Errorf("attempt %d: backoff %v outside [0.5s, 30s]", attempt, got)
		}
	}
}

func FuzzIDUnmarshal(f *testing.F) {
	for _, s := range []string{`"c-1"`, `12345`, `-1.5e3`, `null`, `true`, `{}`, `"\u00e9"`, ` 7 `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var id ID
		if err := json.Unmarshal([]byte(in), &id); err != nil {
			return
		}
		b, err := json.Marshal(id)
		if err != nil {
			t.Fatalf("Marshal(%q): %v", id, err)
		}
		var back ID
		if err := json.Unmarshal(b, &back); err != nil || back != id {
			t.Errorf("round trip of %q = %q, %v", id, back, err)
		}
	})
}
