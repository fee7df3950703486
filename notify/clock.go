package notify

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Clock is the time source of the senders: it stamps signatures, paces
// sends and waits between retries. Tests pass a fake clock so that waits
// take no real time. A nil Clock in options means the system clock.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, and then returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer is the rate limiter of one destination URL, shared by every sender
// in the process that posts to that URL. After a 429 it also holds all
// sends back until the server's Retry-After has passed.
type pacer struct {
	mu        sync.Mutex
	lim       *rate.Limiter
	holdUntil time.Time
}

// pacers maps the SHA-256 of a URL to its pacer. The key is a hash so that
// the registry holds no URL.
var pacers sync.Map

func pacerFor(url string, limit rate.Limit, burst int) *pacer {
	key := sha256.Sum256([]byte(url))
	p, _ := pacers.LoadOrStore(key, &pacer{lim: rate.NewLimiter(limit, burst)})
	return p.(*pacer)
}

// wait blocks until one send is allowed. The clock's Sleep does the
// waiting, so that tests can fake it.
func (p *pacer) wait(ctx context.Context, clock Clock) error {
	p.mu.Lock()
	now := clock.Now()
	if hold := p.holdUntil.Sub(now); hold > 0 {
		p.mu.Unlock()
		if err := clock.Sleep(ctx, hold); err != nil {
			return err
		}
		p.mu.Lock()
		now = clock.Now()
	}
	r := p.lim.ReserveN(now, 1)
	p.mu.Unlock()
	if !r.OK() {
		return nil // rate.Inf or a burst of 0 from a caller's options
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := clock.Sleep(ctx, d); err != nil {
			r.CancelAt(clock.Now())
			return err
		}
	}
	return nil
}

// hold stops sends until now+d.
func (p *pacer) hold(now time.Time, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := now.Add(d); until.After(p.holdUntil) {
		p.holdUntil = until
	}
}
