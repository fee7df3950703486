package snapshot

import (
	"context"
	"fmt"
)

// runLockFileName is the file of the run lock in a stream's directory. It
// is not the file of the lock that the store's methods take, so that a run
// can hold it across calls to those methods.
const runLockFileName = "run.lock"

// LockStream takes the run lock of stream k and returns the function that
// releases it. A caller holds it across a whole run, such as reading the
// head, comparing, notifying and advancing, so that runs of one stream in
// several goroutines or processes take turns. The store's own methods do
// not take this lock, so they may be called while it is held.
//
// On Unix the lock is an flock(2) lock on a file in the stream's
// directory, which the kernel releases when the holder dies. LockStream
// waits for the lock until ctx is done and then returns ctx.Err().
func (s *FileStore) LockStream(ctx context.Context, k Key) (func(), error) {
	if err := checkCall(ctx, k); err != nil {
		return nil, err
	}
	if err := s.ensureStream(k); err != nil {
		return nil, err
	}
	unlock, err := lockName(ctx, s.root, streamPath(k, runLockFileName))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("snapshot: lock %s: %w", s.path(streamPath(k, runLockFileName)), err)
	}
	return unlock, nil
}
