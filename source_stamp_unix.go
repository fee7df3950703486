//go:build unix

package clariwatch

import (
	"os"
	"syscall"
)

// fileStamp is what a write to a file changes: its size, modification
// time and change time, with its device, inode and link count.
type fileStamp struct {
	size, mtime, ctime   int64 // bytes; nanoseconds since 1970
	device, inode, links uint64
	// ctimeKnown is false on systems whose change time is not read.
	ctimeKnown bool
}

// stampOf returns the stamp of fi.
func stampOf(fi os.FileInfo) fileStamp {
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.device, s.inode, s.links = uint64(st.Dev), uint64(st.Ino), uint64(st.Nlink)
		s.ctime, s.ctimeKnown = changeTime(st)
	}
	return s
}

// written reports whether the file stamped a was written by the time it
// was stamped b. A new change time counts only while the link count
// stays the same: renaming another file over the path, or removing the
// path, updates the change time of the file without writing it, and no
// writer that opens the path can reach the file after that.
func written(a, b fileStamp) bool {
	if a.size != b.size || a.mtime != b.mtime || a.device != b.device || a.inode != b.inode {
		return true
	}
	return a.ctimeKnown && a.links == b.links && a.ctime != b.ctime
}

// nonBlocking is the open flag that keeps opening a FIFO from waiting
// for a writer.
const nonBlocking = syscall.O_NONBLOCK
