//go:build unix

package diff_test

import "syscall"

// processCPUTime returns the user and system CPU time of the process in
// nanoseconds. Benchmarks report it next to wall time because wall time
// grows when other processes share the machine, and CPU time barely does.
func processCPUTime() int64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return u.Utime.Nano() + u.Stime.Nano()
}
