package clariwatch

import "syscall"

// mapFlags are the mmap flags of an export file. MAP_POPULATE reads the
// whole file in with the mapping instead of one page fault at a time.
const mapFlags = syscall.MAP_SHARED | syscall.MAP_POPULATE

// changeTime returns the change time of st in nanoseconds since 1970.
// A write updates it even when the writer then sets the modification
// time back, as rsync --inplace does.
func changeTime(st *syscall.Stat_t) (int64, bool) { return st.Ctim.Nano(), true }
