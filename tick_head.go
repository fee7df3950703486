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

// earlyHead is a background read and conversion of the stream's head
// snapshot, run while the tick converts and stores the new export.
// It reads the head before the tick takes the stream's lock. Snapshots
// never change, so its rows are used when the head read under the lock
// is the same snapshot, and thrown away otherwise.
type earlyHead struct {
	head   snapshot.Meta
	cancel context.CancelFunc
	done   chan struct{}
	prev   []diff.Row
	err    error
}

// startEarlyHead starts reading the head. It returns nil when the stream
// has no head yet, or when the head has the size of the new export,
// because that export may be byte for byte the head and then the tick
// compares nothing. It is not started before the fetch, because decoding
// two large exports at once on two cores was slower than one after the
// other: both fill memory, and the garbage collector waits on the
// download's large copies.
func (t *tick) startEarlyHead(ctx context.Context) *earlyHead {
	k := t.res.Stream
	head, err := t.m.cfg.Store.Head(ctx, k)
	if err != nil || head.Size == int64(len(t.fetched.Body)) {
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
// stops early. Len returns the size of the input, which the decoder
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
