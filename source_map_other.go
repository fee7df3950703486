//go:build !unix

package clariwatch

import "os"

// mapFile returns a nil body: on this system the file source reads
// exports into memory.
func mapFile(f *os.File, size int64) (body []byte, unmap func()) {
	return nil, nil
}
