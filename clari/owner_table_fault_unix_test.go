//go:build unix

package clari

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"testing"
)

// catchFault calls fn with panic-on-fault set, as a reader of a mapped
// file does, and reports whether fn panicked with a memory fault.
func catchFault(fn func()) (faulted bool) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		r := recover()
		if _, ok := r.(interface{ Addr() uintptr }); ok {
			faulted = true
		} else if r != nil {
			panic(r)
		}
	}()
	fn()
	return false
}

// TestOwnerTableFaultInSecondHalf maps an export, truncates the file
// inside the second half of the entries, and checks that the fault of the
// goroutine that scans that half panics on the caller instead of crashing
// the test.
func TestOwnerTableFaultInSecondHalf(t *testing.T) {
	body := periodOwners(70_000, func(int) string { return "" })
	start := secondHalfStart(body)
	if start <= 0 {
		t.Fatal("the export has no second half")
	}
	name := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(name, body, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := syscall.Mmap(int(f.Fd()), 0, len(body), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	// Before the second scan starts, keep the first three quarters of the
	// file: the first scan ends inside them, at the start of the second
	// half, and the second scan faults past them. The caller reads the
	// whole input before it starts the second scan, so a truncation before
	// the call would fault on the caller's goroutine instead.
	page := os.Getpagesize()
	keep := len(body) * 3 / 4 / page * page
	var truncateErr error
	testHookHalfStarted = func() { truncateErr = os.Truncate(name, int64(keep)) }
	defer func() { testHookHalfStarted = func() {} }()

	var ok bool
	faulted := catchFault(func() { _, ok = ReadOptions{}.ReadOwnerTable(mem) })
	if truncateErr != nil {
		t.Fatal(truncateErr)
	}
	if !faulted {
		t.Fatalf("ReadOwnerTable returned ok = %t on a truncated mapping, want a fault on the caller", ok)
	}
}

// TestInHalvesFaultInFirstHalf checks that a fault of the call that
// inHalves runs on a new goroutine panics on the caller.
func TestInHalvesFaultInFirstHalf(t *testing.T) {
	page := os.Getpagesize()
	name := filepath.Join(t.TempDir(), "ids")
	if err := os.WriteFile(name, make([]byte, 4*page), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	if err := os.Truncate(name, int64(page)); err != nil {
		t.Fatal(err)
	}

	var sum byte
	faulted := catchFault(func() {
		inHalves(parallelSize, parallelSize/2, func(lo, hi int) bool {
			if lo == 0 {
				sum += mem[len(mem)-1]
			}
			return true
		})
	})
	if !faulted {
		t.Fatal("inHalves returned, want the fault of its new goroutine on the caller")
	}
}
