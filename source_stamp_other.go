//go:build !unix

package clariwatch

import "os"

// fileStamp is what a write to a file changes that this system reports:
// its size and modification time.
type fileStamp struct {
	size, mtime int64 // bytes; nanoseconds since 1970
	ctime       int64
	ctimeKnown  bool
}

func stampOf(fi os.FileInfo) fileStamp {
	return fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}

// written reports whether the file stamped a was written by the time it
// was stamped b.
func written(a, b fileStamp) bool { return a.size != b.size || a.mtime != b.mtime }

// nonBlocking is 0: the FIFOs of Unix systems need the non-blocking open.
const nonBlocking = 0
