package snapshot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
)

func TestFileStoreLockStream(t *testing.T) {
	ctx := t.Context()
	s, err := snapshot.OpenFileStore(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4", Currency: "USD"}

	unlock, err := s.LockStream(ctx, k)
	if err != nil {
		t.Fatalf("LockStream: %v", err)
	}
	// The store's methods still work while the run lock is held.
	m, err := s.Put(ctx, snapshot.Meta{Key: k}, strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("Put under the run lock: %v", err)
	}
	if err := s.Advance(ctx, k, "", m.ID); err != nil {
		t.Fatalf("Advance under the run lock: %v", err)
	}

	// A second holder waits: with a cancelled context it gets ctx.Err().
	waitCtx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.LockStream(waitCtx, k); !errors.Is(err, context.Canceled) {
		t.Fatalf("LockStream with a cancelled context = %v, want context.Canceled", err)
	}
	got := make(chan error, 1)
	go func() {
		unlock2, err := s.LockStream(ctx, k)
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("LockStream after release: %v", err)
	}

	other := k
	other.TimePeriod = "2027_Q1"
	unlockOther, err := s.LockStream(ctx, other)
	if err != nil {
		t.Fatalf("LockStream of another stream: %v", err)
	}
	unlockOther()
}

func TestFileStoreLockStreamInvalidKey(t *testing.T) {
	s, err := snapshot.OpenFileStore(t.Context(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.LockStream(t.Context(), snapshot.Key{}); !errors.Is(err, snapshot.ErrInvalidKey) {
		t.Fatalf("LockStream(empty key) = %v, want ErrInvalidKey", err)
	}
}

func TestLockStreamWaiterGetsReleasedLock(t *testing.T) {
	ctx := t.Context()
	s, err := snapshot.OpenFileStore(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
	unlock, err := s.LockStream(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		unlock2, err := s.LockStream(ctx, k)
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiting LockStream after the holder released = %v, want nil", err)
	}
}
