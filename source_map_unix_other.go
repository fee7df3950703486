//go:build unix && !linux

package clariwatch

import "syscall"

// mapFlags are the mmap flags of an export file.
const mapFlags = syscall.MAP_SHARED
