//go:build unix && !linux && !darwin

package clariwatch

import "syscall"

// mapFlags are the mmap flags of an export file.
const mapFlags = syscall.MAP_SHARED

// changeTime reports false: the change time is not read on this system,
// so a write that sets the modification time back could go unnoticed,
// and mapFile reads the file instead of mapping it.
func changeTime(*syscall.Stat_t) (int64, bool) { return 0, false }
