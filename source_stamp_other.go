//go:build !unix

package clariwatch

import "os"

// fileStamp is the record of a file's size and modification time, the
// values that a write changes and that this system reports.
type fileStamp struct {
	size, mtime int64 // bytes; nanoseconds since 1970
	ctime       int64
	ctimeKnown  bool
}

func stampOf(fi os.FileInfo) fileStamp {
	return fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}

// compareStamps compares the stamps a and b of one open file, taken in
// that order. written is true when its size or modification time
// changed; this system gives no change time, so changed is false.
func compareStamps(a, b fileStamp) (written, changed bool) {
	return a.size != b.size || a.mtime != b.mtime, false
}

// nonBlocking is 0: the FIFOs of Unix systems need the non-blocking open.
const nonBlocking = 0
