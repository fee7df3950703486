//go:build unix

package snapshot

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// lockName takes an exclusive flock(2) on the file name in root, creating
// it, and returns the function that releases it. flock locks belong to the
// open file, so goroutines of one process exclude each other as processes
// do. The kernel releases the lock when the holder dies.
func lockName(ctx context.Context, root *os.Root, name string) (func(), error) {
	f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, err
	}
	// Chmod sets the mode whatever the umask removed.
	if err := f.Chmod(fileMode); err != nil {
		f.Close()
		return nil, err
	}
	fd := int(f.Fd())
	err = flockRetry(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		return func() { f.Close() }, nil
	}
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, err
	}

	// Poll with LOCK_NB instead of blocking in flock, which ctx cannot
	// interrupt: a blocked flock keeps its goroutine and OS thread until the
	// holder lets go, however long after ctx ended.
	wait := time.Millisecond
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			f.Close()
			return nil, ctx.Err()
		case <-timer.C:
		}
		err := flockRetry(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		wait = min(2*wait, maxLockPoll)
	}
}

// maxLockPoll is the longest pause between two tries to take a held lock.
const maxLockPoll = 50 * time.Millisecond

func flockRetry(fd, how int) error {
	for {
		err := syscall.Flock(fd, how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// syncDir fsyncs the directory name in root, so that a rename in it
// survives a power failure.
func syncDir(root *os.Root, name string) error {
	d, err := root.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
