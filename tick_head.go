package clariwatch

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/snapshot"
)

// earlyHead is a background comparison of the new export with the
// stream's head snapshot. It starts reading and converting the head
// while the tick converts the new export, before the tick takes the
// stream's lock. Snapshots never change, so its result is used when the
// head read under the lock is the same snapshot, and thrown away
// otherwise.
type earlyHead struct {
	head   snapshot.Meta
	cancel context.CancelFunc
	done   chan struct{}
	diff   *headDiff
}

// startEarlyHead starts the comparison. It returns nil when the stream
// has no head yet, or when the head has the size of the new export,
// because that export may be byte for byte the head and then the tick
// compares nothing. It is not started before the fetch, because decoding
// two large exports at once on two cores was slower than one after the
// other: both fill memory, and the garbage collector waits on the
// download's large copies.
func (t *tick) startEarlyHead(ctx context.Context) *earlyHead {
	head, err := t.m.cfg.Store.Head(ctx, t.res.Stream)
	if err != nil || head.Size == int64(len(t.fetched.Body)) {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &earlyHead{head: head, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		h.diff = t.compareHead(ctx, head)
	}()
	return h
}

// stop cancels the comparison and waits for it to end.
func (h *earlyHead) stop() {
	if h == nil {
		return
	}
	h.cancel()
	<-h.done
}

// result waits for the comparison and returns it when it compared with
// head, or nil when it compared with another snapshot or never started.
func (h *earlyHead) result(head snapshot.Meta) *headDiff {
	if h == nil || h.head.ID != head.ID {
		return nil
	}
	<-h.done
	return h.diff
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
