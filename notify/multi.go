package notify

import (
	"context"
	"errors"
	"fmt"
)

// Multi returns a notifier that sends each message to every notifier in ns
// concurrently and waits for all of them, or until ctx is done. A failure
// does not stop the others, and a panic in a notifier becomes its error.
// The result joins the errors with [errors.Join]; each is prefixed with the
// notifier's name (see [Named]). Nil notifiers are skipped.
//
// When ctx ends before a notifier returns, Multi reports ctx's error for
// that notifier and returns without it. The notifier's goroutine keeps
// running until the notifier itself returns.
func Multi(ns ...Notifier) Notifier {
	return &multi{ns: append([]Notifier(nil), ns...)}
}

type multi struct {
	ns []Notifier // may hold nils, so that names keep their positions
}

var _ Notifier = (*multi)(nil)

type multiResult struct {
	i   int
	err error
}

func (mu *multi) Notify(ctx context.Context, m *Message) error {
	errs := make([]error, len(mu.ns))
	pending := make(map[int]bool, len(mu.ns))
	// Buffered so that a notifier that returns after Multi gave up does
	// not block forever.
	results := make(chan multiResult, len(mu.ns))
	for i, n := range mu.ns {
		if n == nil {
			continue
		}
		pending[i] = true
		go func() { results <- multiResult{i, notifyRecover(ctx, n, m)} }()
	}
	for len(pending) > 0 {
		select {
		case r := <-results:
			delete(pending, r.i)
			if r.err != nil {
				errs[r.i] = fmt.Errorf("%s: %w", nameOf(mu.ns[r.i], r.i), r.err)
			}
		case <-ctx.Done():
			for i := range pending {
				errs[i] = fmt.Errorf("%s: did not return before the context ended: %w", nameOf(mu.ns[i], i), ctx.Err())
			}
			pending = nil
		}
	}
	return errors.Join(errs...)
}

// notifyRecover calls n.Notify and turns a panic into an error, so that one
// broken notifier does not crash the process or stop the others.
func notifyRecover(ctx context.Context, n Notifier, m *Message) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("notify: notifier panicked: %v", v)
		}
	}()
	return n.Notify(ctx, m)
}
