package clariwatch

import (
	"context"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
)

// earlyHead reads and converts the stream's head snapshot in the
// background while the tick converts and stores the new export. It reads
// the head before the tick takes the stream's lock; snapshots never
// change, so its rows are used when the head read under the lock is the
// same snapshot, and thrown away otherwise.
type earlyHead struct {
	id     string
	cancel context.CancelFunc
	done   chan struct{}
	prev   []diff.Row
	err    error
}

// startEarlyHead starts reading the head, or returns nil when the stream
// has no head yet or when the head has the size of the new export: that
// one may be byte for byte the same, and then the tick compares nothing.
func (t *tick) startEarlyHead(ctx context.Context) *earlyHead {
	head, err := t.m.cfg.Store.Head(ctx, t.res.Stream)
	if err != nil || head.Size == int64(len(t.fetched.Body)) {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &earlyHead{id: head.ID, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		h.prev, h.err = t.headRows(ctx, head)
	}()
	return h
}

// stop cancels the read and waits for it to end.
func (h *earlyHead) stop() {
	if h == nil {
		return
	}
	h.cancel()
	<-h.done
}

// rows returns the rows of head: the ones read early when they belong to
// the same snapshot, else read now.
func (h *earlyHead) rows(ctx context.Context, t *tick, head snapshot.Meta) ([]diff.Row, error) {
	if h == nil || h.id != head.ID {
		return t.headRows(ctx, head)
	}
	<-h.done
	return h.prev, h.err
}
