package clariwatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/snapshot"
)

// earlyHead is a background comparison of the new export with the head
// snapshot of a stream. It reads and converts the head while the tick
// reads and converts the new export, before the tick takes the stream's
// lock. Snapshots never change, so its result is used when the tick's
// stream and the head it reads under the lock are the ones it compared
// with, and thrown away otherwise.
type earlyHead struct {
	stream snapshot.Key
	head   snapshot.Meta
	cancel context.CancelFunc
	done   chan struct{}
	diff   *headDiff
}

// startEarlyHead starts comparing with the head of stream k. It returns
// nil when the stream has no head yet, or when the head has size bytes,
// the size of the new export, because that export may be byte for byte
// the head and then the tick compares nothing.
func (t *tick) startEarlyHead(ctx context.Context, k snapshot.Key, size int) *earlyHead {
	head, err := t.m.cfg.Store.Head(ctx, k)
	if err != nil || head.Size == int64(size) {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &earlyHead{stream: k, head: head, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		err := t.guard(func() error {
			h.diff = t.compareHead(ctx, k, head)
			return nil
		})
		if err != nil {
			h.diff = &headDiff{err: err}
		}
	}()
	return h
}

// startEarlyFromBody starts the early comparison as soon as a file
// source has read its body and before it converts it, when the stream's
// period is known: requested, or named first in a per-owner file. A
// wrong guess costs only the discarded work, because earlyFor checks the
// stream.
func (t *tick) startEarlyFromBody(ctx context.Context, body []byte) {
	k := requestKey(t.m.cfg)
	if k.TimePeriod == "" {
		k.TimePeriod = leadingPeriod(body)
	}
	if k.TimePeriod == "" || k.Validate() != nil {
		return
	}
	t.early = t.startEarlyHead(ctx, k, len(body))
}

// earlyFor returns the early comparison for stream k: the one started
// from the body when it guessed k, else a new one. Decoding a Clari
// export is not overlapped with reading the head, because decoding two
// large exports at once on two cores was slower than one after the
// other: both fill memory, and the garbage collector waits on the
// download's large copies. Converting its entries to rows is.
func (t *tick) earlyFor(ctx context.Context, k snapshot.Key) *earlyHead {
	if t.early != nil && t.early.stream == k {
		return t.early
	}
	t.early.stop()
	t.early = t.startEarlyHead(ctx, k, len(t.fetched.Body))
	return t.early
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

// leadingPeriod returns the top-level "period" of a JSON object that
// names it first, as per-owner exports do, and "" for any other input.
// It reads only the first three tokens.
func leadingPeriod(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body[:min(len(body), 4096)]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	if tok, err := dec.Token(); err != nil || tok != "period" {
		return ""
	}
	period, _ := dec.Token()
	s, _ := period.(string)
	return s
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
