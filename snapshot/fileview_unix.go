//go:build unix

package snapshot

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// viewBody maps the body of the snapshot file f, checks it and calls fn
// with the mapping. The mapping is removed when viewBody returns, also
// when fn panics.
//
// The check and fn run under guardFault with the mapping as its region.
// A read of a page of the mapping raises SIGBUS when the file was
// truncated to end before that page, or when the page cannot be read from
// disk. Goroutines that fn starts are not covered: each must set
// debug.SetPanicOnFault itself and recover the fault.
//
// NOTE: a write into the file can change the body after the check. The
// store itself never truncates or writes a published snapshot: Put
// renames a new file into place, and Prune removes files, which stay
// readable through an existing mapping.
func (s *FileStore) viewBody(f *os.File, name string, m fileMeta, fn func(Meta, []byte) error) (err error) {
	if m.Size == 0 {
		// mmap rejects a length of 0.
		body := []byte{}
		if err := s.checkBody(body, name, m); err != nil {
			return err
		}
		return fn(m.Meta, body)
	}
	// openSnapshot has checked that m.Size fits in an int.
	body, err := syscall.Mmap(int(f.Fd()), 0, int(m.Size), syscall.PROT_READ, mapFlags)
	if errors.Is(err, syscall.ENODEV) {
		// NOTE: this path, for file systems without mmap support, is not
		// run by the tests.
		body, err := s.readBody(f, name, m)
		if err != nil {
			return err
		}
		return fn(m.Meta, body)
	}
	if err != nil {
		return fmt.Errorf("snapshot: map %s into memory: %w", s.path(name), err)
	}
	defer func() {
		if unmapErr := syscall.Munmap(body); unmapErr != nil && err == nil {
			err = fmt.Errorf("snapshot: unmap %s: %w", s.path(name), unmapErr)
		}
	}()

	// fnErr is kept apart from guardFault's result, so that an error of
	// fn that wraps a fault error of its own is returned unchanged.
	var fnErr error
	err = guardFault(func() error {
		if err := s.checkBody(body, name, m); err != nil {
			return err
		}
		fnErr = fn(m.Meta, body)
		return nil
	}, body)
	if faultErr, ok := err.(*faultError); ok {
		return s.viewFaultError(f, name, m, faultErr)
	}
	if err != nil {
		return err
	}
	return fnErr
}

// viewFaultError returns View's error for faultErr, a memory fault in the
// mapping of the snapshot file f. The file's size at that time
// distinguishes a truncation from other causes.
func (s *FileStore) viewFaultError(f *os.File, name string, m fileMeta, faultErr *faultError) error {
	if fi, err := f.Stat(); err == nil && fi.Size() < m.Size {
		return fmt.Errorf("snapshot: snapshot file %s was truncated to %d bytes, less than its %d-byte body, "+
			"while it was viewed: %w", s.path(name), fi.Size(), m.Size, faultErr)
	}
	return fmt.Errorf("snapshot: snapshot file %s could not be read while it was viewed "+
		"(an I/O error, or a write to the read-only body): %w", s.path(name), faultErr)
}
