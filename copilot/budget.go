package copilot

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// weeklyBudget counts requests per week, the week starting on Sunday at
// 00:00 UTC as Copilot's quota does.
type weeklyBudget struct {
	mu    sync.Mutex
	limit int
	used  int
	week  time.Time
	now   func() time.Time
}

// weekStart returns the Sunday 00:00 UTC that starts the week of t.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -int(day.Weekday()))
}

// take spends one request, or returns an error wrapping
// [ErrBudgetExhausted] when none is left this week.
func (b *weeklyBudget) take() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	week := weekStart(b.now())
	if !week.Equal(b.week) {
		b.week, b.used = week, 0
	}
	if b.used >= b.limit {
		return fmt.Errorf("%w: %d requests used, the budget resets at %s",
			ErrBudgetExhausted, b.used, week.AddDate(0, 0, 7).Format(time.RFC3339))
	}
	b.used++
	return nil
}

// limitedTransport waits for the rate limiter and spends the budget before
// each attempt, so that retries are limited and counted as well.
type limitedTransport struct {
	base    http.RoundTripper
	limiter *rate.Limiter
	budget  *weeklyBudget // nil: no budget
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(req.Context()); err != nil {
		closeBody(req)
		return nil, &permanentError{fmt.Errorf("copilot: waiting for the rate limiter: %w", err)}
	}
	if t.budget != nil {
		if err := t.budget.take(); err != nil {
			closeBody(req)
			return nil, &permanentError{err}
		}
	}
	return t.base.RoundTrip(req)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
