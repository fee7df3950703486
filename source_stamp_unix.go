//go:build unix

package clariwatch

import (
	"os"
	"syscall"
)

// fileStamp is the record of a file's size, modification time, change
// time, device and inode, the values that a write to the file changes.
type fileStamp struct {
	size, mtime, ctime int64 // bytes; nanoseconds since 1970
	device, inode      uint64
	// ctimeKnown is false on systems whose change time is not read.
	ctimeKnown bool
}

// stampOf returns the stamp of fi.
func stampOf(fi os.FileInfo) fileStamp {
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.device, s.inode = uint64(st.Dev), uint64(st.Ino)
		s.ctime, s.ctimeKnown = changeTime(st)
	}
	return s
}

// compareStamps compares the stamps a and b of one open file, taken in
// that order. written is true when its size, modification time, device
// or inode changed. changed is true when only its change time did, which
// a write that sets the modification time back, a new link, a chmod, or
// renaming another file over its path all cause.
func compareStamps(a, b fileStamp) (written, changed bool) {
	if a.size != b.size || a.mtime != b.mtime || a.device != b.device || a.inode != b.inode {
		return true, false
	}
	return false, a.ctimeKnown && a.ctime != b.ctime
}

// nonBlocking is the open flag that keeps opening a FIFO from waiting
// for a writer.
const nonBlocking = syscall.O_NONBLOCK
