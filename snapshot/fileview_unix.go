//go:build unix

package snapshot

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// viewBody maps the body of the snapshot file f, checks it and calls fn
// with the mapping. The mapping is removed when viewBody returns,
// also when fn panics.
//
// NOTE: truncating a snapshot file while it is viewed makes a read of the
// lost pages raise SIGBUS, which crashes the process, and a write into the
// file can change the body after the check. The store itself never
// truncates or writes a published snapshot: Put renames a new file into
// place, and Prune removes files, which stay readable through an existing
// mapping.
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
	if err := s.checkBody(body, name, m); err != nil {
		return err
	}
	return fn(m.Meta, body)
}
