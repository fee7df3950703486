package clariwatch

import "syscall"

// mapFlags are the mmap flags of an export file.
const mapFlags = syscall.MAP_SHARED

// changeTime returns the change time of st in nanoseconds since 1970.
func changeTime(st *syscall.Stat_t) (int64, bool) { return st.Ctimespec.Nano(), true }
