package copilot_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// fakeClock is a clock that moves only when the test moves it.
type fakeClock struct{ sec atomic.Int64 }

func newFakeClock(sec int64) *fakeClock {
	c := &fakeClock{}
	c.sec.Store(sec)
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(c.sec.Load(), 0) }
func (c *fakeClock) Advance(d time.Duration) { c.sec.Add(int64(d / time.Second)) }

func TestMemoryReplayCacheReserve(t *testing.T) {
	clock := newFakeClock(1000)
	c := copilot.NewMemoryReplayCache(10, clock.Now)
	ctx := t.Context()
	until := clock.Now().Add(time.Minute)

	if err := c.Reserve(ctx, "a", until); err != nil {
		t.Fatalf("first Reserve: %v", err)
	}
	if err := c.Reserve(ctx, "a", until); !errors.Is(err, copilot.ErrReplay) {
		t.Fatalf("second Reserve error = %v, want ErrReplay", err)
	}
	if err := c.Release(ctx, "a"); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := c.Reserve(ctx, "a", until); err != nil {
		t.Fatalf("Reserve after Release: %v", err)
	}
	if err := c.Release(ctx, "never reserved"); err != nil {
		t.Errorf("Release of an unknown id: %v", err)
	}
}

func TestMemoryReplayCacheExpiry(t *testing.T) {
	clock := newFakeClock(1000)
	c := copilot.NewMemoryReplayCache(10, clock.Now)
	ctx := t.Context()
	if err := c.Reserve(ctx, "a", clock.Now().Add(time.Minute)); err != nil {
		t.Fatalf("Reserve: %v", err)
	}

	clock.Advance(time.Minute)
	if err := c.Reserve(ctx, "a", clock.Now().Add(time.Minute)); !errors.Is(err, copilot.ErrReplay) {
		t.Fatalf("Reserve at the expiry time: error = %v, want ErrReplay", err)
	}

	clock.Advance(61 * time.Second)
	if err := c.Reserve(ctx, "a", clock.Now().Add(time.Minute)); err != nil {
		t.Fatalf("Reserve after expiry: %v", err)
	}
	if got := c.Len(); got != 1 {
		t.Errorf("Len = %d, want 1", got)
	}
}

func TestMemoryReplayCacheFull(t *testing.T) {
	clock := newFakeClock(1000)
	c := copilot.NewMemoryReplayCache(3, clock.Now)
	ctx := t.Context()
	for i := range 3 {
		until := clock.Now().Add(time.Duration(i+1) * time.Minute)
		if err := c.Reserve(ctx, fmt.Sprint(i), until); err != nil {
			t.Fatalf("Reserve %d: %v", i, err)
		}
	}
	if err := c.Reserve(ctx, "3", clock.Now().Add(time.Minute)); !errors.Is(err, copilot.ErrReplayCacheFull) {
		t.Fatalf("Reserve into a full cache: error = %v, want ErrReplayCacheFull", err)
	}
	if err := c.Reserve(ctx, "0", clock.Now().Add(time.Minute)); !errors.Is(err, copilot.ErrReplay) {
		t.Fatalf("Reserve of a held id in a full cache: error = %v, want ErrReplay", err)
	}

	clock.Advance(61 * time.Second) // id "0" expires
	if err := c.Reserve(ctx, "3", clock.Now().Add(time.Minute)); err != nil {
		t.Fatalf("Reserve after one id expired: %v", err)
	}
	if got := c.Len(); got != 3 {
		t.Errorf("Len = %d, want the maximum of 3", got)
	}
}

func TestMemoryReplayCacheReleaseMiddle(t *testing.T) {
	clock := newFakeClock(1000)
	c := copilot.NewMemoryReplayCache(0, clock.Now)
	ctx := t.Context()
	for i := range 5 {
		if err := c.Reserve(ctx, fmt.Sprint(i), clock.Now().Add(time.Duration(5-i)*time.Minute)); err != nil {
			t.Fatalf("Reserve %d: %v", i, err)
		}
	}
	if err := c.Release(ctx, "2"); err != nil {
		t.Fatalf("Release: %v", err)
	}
	clock.Advance(150 * time.Second) // ids 3 and 4 expire
	if err := c.Reserve(ctx, "x", clock.Now().Add(time.Minute)); err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	for id, want := range map[string]error{"0": copilot.ErrReplay, "1": copilot.ErrReplay, "2": nil, "3": nil, "4": nil} {
		err := c.Reserve(ctx, id, clock.Now().Add(time.Minute))
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("Reserve(%q) error = %v, want %v", id, err, want)
		}
	}
}

func TestMemoryReplayCacheConcurrent(t *testing.T) {
	clock := newFakeClock(1000)
	c := copilot.NewMemoryReplayCache(0, clock.Now)
	ctx := t.Context()
	var won atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 200 {
				if c.Reserve(ctx, fmt.Sprint(i), clock.Now().Add(time.Minute)) == nil {
					won.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := won.Load(); got != 200 {
		t.Errorf("successful reservations = %d, want 200, one per id", got)
	}
}
