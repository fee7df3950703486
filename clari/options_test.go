package clari_test

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/clariwatch/clariwatch/clari"
)

func TestNewClientRejectsInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opt  clari.Option
	}{
		{"empty key", "", nil},
		{"key with line break", "sk-secret\r\nX-Other: 1", nil},
		{"key with NUL", "sk-\x00secret", nil},
		{"key with surrounding space", " sk-secret ", nil},
		{"relative base URL", "k", clari.WithBaseURL("/v4")},
		{"ftp base URL", "k", clari.WithBaseURL("ftp://example.com/v4")},
		{"base URL with user", "k", clari.WithBaseURL("https://user:pw@example.com/v4")},
		{"base URL with query", "k", clari.WithBaseURL("https://example.com/v4?apikey=x")},
		{"nil HTTP client", "k", clari.WithHTTPClient(nil)},
		{"zero rate", "k", clari.WithRateLimit(0, 1)},
		{"zero burst", "k", clari.WithRateLimit(1, 0)},
		{"zero attempts", "k", clari.WithRetry(0, time.Second, time.Second)},
		{"max wait below min", "k", clari.WithRetry(1, time.Second, time.Millisecond)},
		{"zero poll interval", "k", clari.WithPollInterval(0, time.Second)},
		{"poll cap below start", "k", clari.WithPollInterval(time.Second, time.Millisecond)},
		{"zero download size", "k", clari.WithMaxDownloadSize(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []clari.Option
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			c, err := clari.NewClient(tt.key, opts...)
			if err == nil {
				t.Fatalf("NewClient = %v, want an error", c)
			}
			if len(tt.key) > 1 && strings.Contains(err.Error(), strings.TrimSpace(tt.key)) {
				t.Errorf("NewClient error contains the key: %v", err)
			}
		})
	}
}

func TestNewClientAcceptsValidOptions(t *testing.T) {
	_, err := clari.NewClient("k",
		clari.WithBaseURL("http://127.0.0.1:1/v4/"), clari.WithHTTPClient(&http.Client{}),
		clari.WithLogger(nil), clari.WithRateLimit(rate.Inf, 0), clari.WithRetry(1, time.Second, time.Second),
		clari.WithPollInterval(time.Second, time.Minute), clari.WithMaxDownloadSize(math.MaxInt64),
		clari.WithAllowTruncated(true))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
}

func TestWithHTTPClientKeepsCallerClient(t *testing.T) {
	hc := &http.Client{}
	if _, err := clari.NewClient("k", clari.WithHTTPClient(hc)); err != nil {
		t.Fatal(err)
	}
	if hc.CheckRedirect != nil {
		t.Error("WithHTTPClient changed the caller's client")
	}
}

func TestPeriodMismatchErrorWithoutJob(t *testing.T) {
	err := &clari.PeriodMismatchError{Requested: "2026_Q3", Returned: "2026_Q4"}
	if msg := err.Error(); !strings.Contains(msg, "clari: the export returned 2026_Q4, not the requested period 2026_Q3") {
		t.Errorf("error of an export read from a file = %q, want it to name the export, not an empty job id", msg)
	}
}
