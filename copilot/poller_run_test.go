package copilot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestPollerRunTicksAndStops drives Run with an injected ticker: one pass
// at start, one per tick, and a clean return when the context ends.
func TestPollerRunTicksAndStops(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	requests := make(chan struct{}, 10)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests <- struct{}{}
		fmt.Fprintf(w, `{"calls":[{"id":"a","status":"PROCESSED","last_modified_time":%q}]}`,
			start.Add(time.Second).Format(time.RFC3339))
	}))
	t.Cleanup(ts.Close)
	c, err := NewClient("k", "p", WithBaseURL(ts.URL), WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan Event, 10)
	h := HandlerFunc(func(_ context.Context, e Event) error { events <- e; return nil })
	p, err := NewPoller(c, h, &MemoryCheckpoint{}, &PollerOptions{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	stopped := false
	p.newTicker = func(time.Duration) (<-chan time.Time, func()) { return ticks, func() { stopped = true } }
	passes := make(chan error)
	p.passDone = func(err error) { passes <- err }

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()

	if err := <-passes; err != nil {
		t.Fatalf("first pass: %v", err)
	}
	ticks <- time.Now()
	if err := <-passes; err != nil {
		t.Fatalf("second pass: %v", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if !stopped {
		t.Error("Run did not stop its ticker")
	}
	if len(requests) != 2 {
		t.Errorf("got %d requests, want 2", len(requests))
	}
	if len(events) != 1 {
		t.Errorf("got %d events, want 1 (the second pass must not repeat it)", len(events))
	}
}

func TestPollerRunReturnsOnUnauthorized(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(ts.Close)
	c, err := NewClient("k", "p", WithBaseURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPoller(c, HandlerFunc(func(context.Context, Event) error { return nil }), &MemoryCheckpoint{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(t.Context()); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("Run returned %v, want ErrUnauthorized", err)
	}
}

func TestWeeklyBudgetResetsOnSunday(t *testing.T) {
	now := time.Date(2026, 3, 7, 23, 59, 0, 0, time.UTC) // a Saturday
	b := &weeklyBudget{limit: 1, now: func() time.Time { return now }}
	if err := b.take(); err != nil {
		t.Fatalf("first take: %v", err)
	}
	if err := b.take(); !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("second take error = %v, want ErrBudgetExhausted", err)
	}
	now = time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC) // Sunday 00:00 UTC
	if err := b.take(); err != nil {
		t.Errorf("take after the week turned: %v", err)
	}
}

func TestWeekStart(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"sunday midnight", time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)},
		{"saturday night", time.Date(2026, 3, 14, 23, 59, 59, 0, time.UTC), time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)},
		{"other zone", time.Date(2026, 3, 8, 1, 0, 0, 0, time.FixedZone("CET", 3600)), time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := weekStart(tt.in); !got.Equal(tt.want) {
				t.Errorf("weekStart(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
