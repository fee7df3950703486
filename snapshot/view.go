package snapshot

import "context"

// Viewer is implemented by stores that can lend a snapshot's body without
// copying it into new memory. [FileStore] and [MemoryStore] implement it.
// Call it through the package function [View], which falls back to
// [Store.Get] for other stores.
type Viewer interface {
	// View checks the body of snapshot id against the stored size and
	// checksum, as Get does, and then calls fn with the snapshot's Meta
	// and body. When the snapshot cannot be read or fails the check,
	// View returns the error that Get would return (an error matching
	// ErrNotFound, ErrInvalidID or ctx.Err(), or a *CorruptError) and does
	// not call fn. When fn returns an error, View returns it unchanged,
	// not wrapped, so callers can compare it with == or errors.Is.
	//
	// body is valid only until fn returns. fn must not modify it and must
	// copy any part that it keeps. On Unix, a FileStore lends a read-only
	// mapping of the file, so a write to body, or a read after fn
	// returned, can crash the process. [FileStore.View] describes the
	// error it returns when the file is truncated while fn runs.
	View(ctx context.Context, id string, fn func(m Meta, body []byte) error) error
}

var (
	_ Viewer = (*FileStore)(nil)
	_ Viewer = (*MemoryStore)(nil)
)

// View calls fn with the Meta and body of snapshot id under the contract
// of [Viewer.View]. It calls s.View when s implements [Viewer], and
// otherwise reads the body with s.Get and returns Get's error or fn's
// error unchanged.
func View(ctx context.Context, s Store, id string, fn func(m Meta, body []byte) error) error {
	if v, ok := s.(Viewer); ok {
		return v.View(ctx, id, fn)
	}
	m, body, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	return fn(m, body)
}
