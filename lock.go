package clariwatch

import (
	"context"
	"sync"

	"github.com/clariwatch/clariwatch/snapshot"
)

// Locker gives a tick exclusive use of a stream from reading the head to
// advancing it. *snapshot.FileStore implements it with a file lock, so
// ticks in several processes on one store take turns.
type Locker interface {
	// LockStream waits for the stream's lock until ctx is done and
	// returns the function that releases it.
	LockStream(ctx context.Context, k snapshot.Key) (unlock func(), err error)
}

var _ Locker = (*snapshot.FileStore)(nil)

// memoryLocker is a Locker inside one process: one channel per stream,
// whose single buffer slot is the lock.
type memoryLocker struct {
	mu    sync.Mutex
	slots map[snapshot.Key]chan struct{}
}

func newMemoryLocker() *memoryLocker {
	return &memoryLocker{slots: make(map[snapshot.Key]chan struct{})}
}

func (l *memoryLocker) LockStream(ctx context.Context, k snapshot.Key) (func(), error) {
	l.mu.Lock()
	slot, ok := l.slots[k]
	if !ok {
		slot = make(chan struct{}, 1)
		l.slots[k] = slot
	}
	l.mu.Unlock()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
