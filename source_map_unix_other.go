//go:build unix && !linux

package clariwatch

import "syscall"

// mapFlags are the mmap flags of an export file.
const mapFlags = syscall.MAP_SHARED

// changeTime returns 0: the name of the change time in syscall.Stat_t
// differs between these systems, so mappedFile.changed compares the size,
// the modification time and the inode only.
func changeTime(*syscall.Stat_t) int64 { return 0 }
