//go:build !unix

package diff_test

// processCPUTime returns 0 where getrusage is missing, so the benchmark's
// cpu-ns/row metric reads 0.
func processCPUTime() int64 { return 0 }
