package copilot

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"
)

// ReplayCache records the delivery ids that a webhook handler has handled
// or is handling, so that a copy of a delivery is not handled twice. An
// implementation shared by several processes (Redis SET NX with an expiry,
// for example) protects all of them.
type ReplayCache interface {
	// Reserve atomically records id until the given time. It returns an
	// error matching [ErrReplay] if id is already recorded and has not
	// expired or been released.
	Reserve(ctx context.Context, id string, until time.Time) error

	// Release removes id, so that a retry of a delivery whose handling
	// failed is handled.
	Release(ctx context.Context, id string) error
}

// DefaultReplayCacheSize is the default maximum number of ids that a
// [MemoryReplayCache] holds.
const DefaultReplayCacheSize = 100_000

// MemoryReplayCache is a [ReplayCache] in process memory, bounded in size.
// It removes an id at the time given to Reserve. When it holds its maximum
// number of unexpired ids, Reserve returns [ErrReplayCacheFull] rather than
// remove an id early, which would let a replay through. The webhook
// handler then responds 503 so that the sender retries later.
//
// Each entry takes the id's bytes plus about 95 bytes of map and heap
// overhead, measured with Go 1.26 on amd64 from the heap growth of 100,000
// reservations. The default of 100,000 ids thus takes about 14 MB with
// 40-byte ids and at most about 35 MB with ids of [MaxDeliveryIDLength]
// bytes, which the verifier enforces.
//
// A MemoryReplayCache is safe for concurrent use. It protects one process
// only, and it starts empty after a restart.
type MemoryReplayCache struct {
	mu      sync.Mutex
	max     int
	now     func() time.Time
	entries map[string]*replayEntry
	expiry  replayHeap
}

var _ ReplayCache = (*MemoryReplayCache)(nil)

// replayEntry is one reserved id, with its index in the expiry heap.
type replayEntry struct {
	id    string
	until time.Time
	index int
}

// NewMemoryReplayCache returns an empty cache that holds at most
// maxEntries ids; zero or less means [DefaultReplayCacheSize]. The now
// function returns the current time; nil means [time.Now].
func NewMemoryReplayCache(maxEntries int, now func() time.Time) *MemoryReplayCache {
	if maxEntries <= 0 {
		maxEntries = DefaultReplayCacheSize
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryReplayCache{max: maxEntries, now: now, entries: make(map[string]*replayEntry)}
}

// Reserve records id until the given time. It returns an error matching
// [ErrReplay] if id is recorded, or [ErrReplayCacheFull] if the cache
// holds its maximum number of unexpired ids.
func (c *MemoryReplayCache) Reserve(_ context.Context, id string, until time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.expire(now)
	if _, ok := c.entries[id]; ok {
		return fmt.Errorf("%w: id %q", ErrReplay, clip(id))
	}
	if len(c.entries) >= c.max {
		return fmt.Errorf("%w: %d unexpired ids; raise the size or let the sender retry",
			ErrReplayCacheFull, len(c.entries))
	}
	e := &replayEntry{id: id, until: until}
	c.entries[id] = e
	heap.Push(&c.expiry, e)
	return nil
}

// Release removes id. Releasing an id that is not recorded does nothing.
func (c *MemoryReplayCache) Release(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		delete(c.entries, id)
		heap.Remove(&c.expiry, e.index)
	}
	return nil
}

// Len returns the number of ids recorded, expired ones included until the
// next call to Reserve removes them.
func (c *MemoryReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// expire removes the ids whose time is before now.
func (c *MemoryReplayCache) expire(now time.Time) {
	for len(c.expiry) > 0 && c.expiry[0].until.Before(now) {
		e := heap.Pop(&c.expiry).(*replayEntry)
		delete(c.entries, e.id)
	}
}

// replayHeap is a min-heap of entries ordered by expiry time.
type replayHeap []*replayEntry

func (h replayHeap) Len() int           { return len(h) }
func (h replayHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }

func (h replayHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *replayHeap) Push(x any) {
	e := x.(*replayEntry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *replayHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
