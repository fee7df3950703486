package clari_test

import (
	"math"
	"net/http"
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
			if c, err := clari.NewClient(tt.key, opts...); err == nil {
				t.Errorf("NewClient = %v, want an error", c)
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
