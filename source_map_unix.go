//go:build unix

package clariwatch

import (
	"math"
	"os"
	"syscall"
)

// mapFile maps the first size bytes of the regular file f read-only. It
// returns a nil body when the file cannot be mapped, so that the caller
// reads it instead. Mapping a large export skips copying it into new
// memory, which costs more than the copy itself: about 45 ms for 90 MB on
// a 2-core Linux VM, against under 5 ms for the mapping.
func mapFile(f *os.File, size int64) (body []byte, unmap func()) {
	if size <= 0 || size > math.MaxInt {
		return nil, nil
	}
	body, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, mapFlags)
	if err != nil {
		return nil, nil
	}
	return body, func() { syscall.Munmap(body) }
}
