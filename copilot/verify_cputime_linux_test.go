//go:build linux

package copilot_test

import (
	"syscall"
	"time"
	"unsafe"
)

// clockThreadCPUTime is CLOCK_THREAD_CPUTIME_ID from <time.h>.
const clockThreadCPUTime = 3

// threadCPUTime returns the CPU time used by the calling OS thread, which
// other processes on a busy machine do not inflate as they do wall time.
// The caller must hold runtime.LockOSThread.
func threadCPUTime() time.Duration {
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		panic("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: " + errno.Error())
	}
	return time.Duration(ts.Nano())
}
