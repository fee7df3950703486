package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Multi returns a notifier that sends each message to every notifier in ns
// concurrently and waits for all of them. A failure does not stop the
// others. The result joins the errors with [errors.Join]; each is prefixed
// with the notifier's name (see [Named]). Nil notifiers are skipped.
func Multi(ns ...Notifier) Notifier {
	return &multi{ns: append([]Notifier(nil), ns...)}
}

type multi struct {
	ns []Notifier // may hold nils, so that names keep their positions
}

var _ Notifier = (*multi)(nil)

func (mu *multi) Notify(ctx context.Context, m *Message) error {
	errs := make([]error, len(mu.ns))
	var wg sync.WaitGroup
	for i, n := range mu.ns {
		if n == nil {
			continue
		}
		wg.Go(func() {
			if err := n.Notify(ctx, m); err != nil {
				errs[i] = fmt.Errorf("%s: %w", nameOf(n, i), err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
