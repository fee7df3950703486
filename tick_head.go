package clariwatch

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
)

// earlyHead reads and converts the stream's head snapshot in the
// background while the tick fetches, converts and stores the new export.
// It reads the head before the tick takes the stream's lock; snapshots
// never change, so its rows are used when the head read under the lock
// is the same snapshot, and thrown away otherwise.
type earlyHead struct {
	head   snapshot.Meta
	cancel context.CancelFunc
	done   chan struct{}
	prev   []diff.Row
	err    error
}

// startEarlyHead starts reading the head of stream k, or returns nil when
// the stream has no head yet.
func (t *tick) startEarlyHead(ctx context.Context, k snapshot.Key) *earlyHead {
	head, err := t.m.cfg.Store.Head(ctx, k)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &earlyHead{head: head, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		h.prev, h.err = t.headRows(ctx, k, head)
	}()
	return h
}

// checkEarlyHead runs after the fetch, when the stream is known. It starts
// reading the head when h is nil, and stops h when the head has the size
// of the new export: that one may be byte for byte the head, and then the
// tick compares nothing. It returns the read to use, or nil.
func (t *tick) checkEarlyHead(ctx context.Context, h *earlyHead) *earlyHead {
	if h == nil {
		h = t.startEarlyHead(ctx, t.res.Stream)
	}
	if h != nil && h.head.Size == int64(len(t.fetched.Body)) {
		h.stop()
		return nil
	}
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
	if h == nil || h.head.ID != head.ID {
		return t.headRows(ctx, t.res.Stream, head)
	}
	<-h.done
	return h.prev, h.err
}

// decodeExportFrom is decodeExport for a reader.
func decodeExportFrom(r io.Reader, period string) (*clari.Export, error) {
	exp, err := clari.ReadOptions{Period: period}.Read(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", clari.ErrInvalidExport, unprefix(err))
	}
	return exp, nil
}

// ctxReader fails once ctx is done, so that a decoder reading from it
// stops early. Len tells the decoder the size of the input, which it
// uses to size the entries once.
type ctxReader struct {
	ctx context.Context
	r   *bytes.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (c ctxReader) Len() int { return c.r.Len() }
