//go:build !unix

package snapshot

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// lockPollInterval is how often lockName retries a held lock.
const lockPollInterval = 10 * time.Millisecond

// lockStaleAge is the age after which lockName treats a lock file as left
// by a crashed process and removes it. Locks are held for milliseconds.
const lockStaleAge = 2 * time.Minute

// lockName creates name+".held" exclusively and returns the function that
// removes it. While the file exists, other callers wait. This works across
// processes on any file system with exclusive create. A crashed holder
// leaves the file behind until it is lockStaleAge old. Two waiters that
// remove a stale file at the same moment can both take the lock.
//
// NOTE: this fallback is used on systems without flock (Windows, Plan 9,
// WASI) and is not exercised by the tests, which run on Unix.
func lockName(ctx context.Context, root *os.Root, name string) (func(), error) {
	held := name + ".held"
	for {
		f, err := root.OpenFile(held, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
		if err == nil {
			f.Close()
			return func() { root.Remove(held) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if fi, err := root.Stat(held); err == nil && time.Since(fi.ModTime()) > lockStaleAge {
			root.Remove(held)
			continue
		}
		t := time.NewTimer(lockPollInterval)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// syncDir does nothing: directories cannot be fsynced on these systems, so
// a rename may be lost on power failure (not on a process crash).
func syncDir(root *os.Root, name string) error { return nil }
