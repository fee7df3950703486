//go:build unix

package snapshot

import (
	"context"
	"errors"
	"os"
	"syscall"
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

	// Wait in another goroutine, because flock cannot be interrupted by
	// ctx. A lock taken after ctx is done is released at once.
	done := make(chan error, 1)
	go func() { done <- flockRetry(fd, syscall.LOCK_EX) }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, err
		}
		return func() { f.Close() }, nil
	case <-ctx.Done():
		go func() {
			<-done
			f.Close()
		}()
		return nil, ctx.Err()
	}
}

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
