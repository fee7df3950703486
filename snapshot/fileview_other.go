//go:build !unix

package snapshot

import "os"

// viewBody reads the body of the snapshot file f into new memory, checks
// it and calls fn. It does not map the file, because View maps files with
// syscall.Mmap, which the standard library provides on Unix only.
func (s *FileStore) viewBody(f *os.File, name string, m fileMeta, fn func(Meta, []byte) error) error {
	body, err := s.readBody(f, name, m)
	if err != nil {
		return err
	}
	return fn(m.Meta, body)
}
