//go:build unix

package fault_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"testing"

	"github.com/clariwatch/clariwatch/internal/fault"
)

// truncatedMapping maps a file of four pages and truncates it to one, so
// that reading its last page faults.
func truncatedMapping(t *testing.T) []byte {
	t.Helper()
	page := os.Getpagesize()
	name := filepath.Join(t.TempDir(), "mapped")
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
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := os.Truncate(name, int64(page)); err != nil {
		t.Fatal(err)
	}
	return mem
}

// sink keeps the compiler from dropping the reads of the tests.
var sink byte

func TestGuardTruncatedMapping(t *testing.T) {
	mem := truncatedMapping(t)
	err := fault.Guard(func() error {
		sink = mem[0]
		sink = mem[len(mem)-1]
		return nil
	}, mem)
	var ferr *fault.Error
	if !errors.As(err, &ferr) {
		t.Fatalf("Guard returned %v, want a *fault.Error", err)
	}
	if ferr.Addr == 0 {
		t.Error("the error has no address")
	}
}

func TestGuardReturnsError(t *testing.T) {
	want := errors.New("from fn")
	if err := fault.Guard(func() error { return want }); err != want {
		t.Errorf("Guard returned %v, want %v", err, want)
	}
}

func TestGuardFaultOutsideRegions(t *testing.T) {
	mem := truncatedMapping(t)
	other := make([]byte, 16)
	defer func() {
		r := recover()
		if _, ok := r.(interface{ Addr() uintptr }); !ok {
			t.Fatalf("recovered %v, want the fault panic", r)
		}
	}()
	fault.Guard(func() error {
		sink = mem[len(mem)-1]
		return nil
	}, other)
	t.Fatal("Guard returned for a fault outside its regions")
}

func TestGuardNestedRegions(t *testing.T) {
	mem := truncatedMapping(t)
	err := fault.Guard(func() error {
		return fault.Guard(func() error {
			sink = mem[len(mem)-1]
			return nil
		}, make([]byte, 16))
	}, mem)
	var ferr *fault.Error
	if !errors.As(err, &ferr) {
		t.Fatalf("outer Guard returned %v, want a *fault.Error", err)
	}
}

func TestGuardOtherPanic(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want boom", r)
		}
	}()
	fault.Guard(func() error { panic("boom") })
}

func TestGuardRestoresSetting(t *testing.T) {
	old := debug.SetPanicOnFault(false)
	defer debug.SetPanicOnFault(old)
	fault.Guard(func() error { return nil })
	if debug.SetPanicOnFault(false) {
		t.Error("Guard left panic-on-fault set after it returned")
	}
	debug.SetPanicOnFault(true)
	fault.Guard(func() error { return nil })
	if !debug.SetPanicOnFault(true) {
		t.Error("Guard cleared a panic-on-fault that was set before it")
	}
}
