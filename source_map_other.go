//go:build !unix

package clariwatch

import (
	"os"
	"time"
)

// mappedFile is not used on this system: the file source reads exports
// into memory.
type mappedFile struct {
	body []byte
}

// mapFile returns nil: on this system the file source reads exports into
// memory.
func mapFile(f *os.File, fi os.FileInfo, size int64, now time.Time) *mappedFile { return nil }

func (m *mappedFile) changed() bool { return false }

func (m *mappedFile) close() {}
