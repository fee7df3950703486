package copilot

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// clientLimiter returns the rate limiter that the transport of c waits on.
func clientLimiter(t *testing.T, c *Client) *rate.Limiter {
	t.Helper()
	lt, ok := c.req.http.HTTPClient.Transport.(*limitedTransport)
	if !ok {
		t.Fatalf("transport is %T, want *limitedTransport", c.req.http.HTTPClient.Transport)
	}
	return lt.limiter
}

func TestClientRateLimiterSettings(t *testing.T) {
	tests := []struct {
		name      string
		opts      []Option
		wantLimit rate.Limit
		wantBurst int
		wantDelay time.Duration // wait of the request after a full burst
	}{
		{"default", nil, 10, 10, 100 * time.Millisecond},
		{"fractional rate", []Option{WithRateLimit(2.5)}, 2.5, 3, 400 * time.Millisecond},
		{"below one per second", []Option{WithRateLimit(0.5)}, 0.5, 1, 2 * time.Second},
		{"disabled", []Option{WithRateLimit(math.Inf(1))}, rate.Inf, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient("key", "password", tt.opts...)
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			limiter := clientLimiter(t, c)
			if got := limiter.Limit(); got != tt.wantLimit {
				t.Errorf("Limit = %v, want %v", got, tt.wantLimit)
			}
			if got := limiter.Burst(); got != tt.wantBurst {
				t.Errorf("Burst = %d, want %d", got, tt.wantBurst)
			}

			// Every request of the burst passes at one instant, and the next
			// one must wait 1/rate.
			start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
			for i := range tt.wantBurst {
				if !limiter.AllowN(start, 1) {
					t.Fatalf("request %d of the burst was not allowed", i+1)
				}
			}
			r := limiter.ReserveN(start, 1)
			if !r.OK() {
				t.Fatal("reservation after the burst is not OK")
			}
			if got := r.DelayFrom(start); got != tt.wantDelay {
				t.Errorf("delay after the burst = %v, want %v", got, tt.wantDelay)
			}
		})
	}
}

func TestClientRateLimitStopsBeforeSending(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		_, _ = w.Write([]byte(`{"users":[]}`))
	}))
	t.Cleanup(srv.Close)

	// One request per 1000 seconds with a burst of 1: the second request
	// must wait about 1000 s, far past the one-minute deadline, so the
	// limiter rejects it at once.
	c, err := NewClient("key", "password", WithBaseURL(srv.URL), WithRateLimit(0.001))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if _, err := c.Users(t.Context()); err != nil {
		t.Fatalf("first Users: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err = c.Users(ctx)
	if err == nil {
		t.Fatal("second Users returned no error")
	}
	if !strings.Contains(err.Error(), "would exceed context deadline") {
		t.Errorf("error = %q, want the limiter's deadline error", err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}
