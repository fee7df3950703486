// Package fault turns the memory faults of a mapped file into errors.
//
// Reading a page of a mapped file past its end, after another process
// truncated the file, raises SIGBUS, and so does a page that the kernel
// cannot read from disk. A Go program crashes on either, unless the
// goroutine asked the runtime, with [debug.SetPanicOnFault], to panic
// instead. Guard requests that panic and recovers it. The setting is per
// goroutine, so a goroutine that fn starts needs a guard of its own.
package fault

import (
	"fmt"
	"runtime/debug"
	"unsafe"
)

// Error is a memory fault while reading a mapped region.
type Error struct {
	// Addr is the address that faulted.
	Addr uintptr
}

func (e *Error) Error() string {
	return fmt.Sprintf("memory fault at %#x while reading a mapped file", e.Addr)
}

// addrError is the interface of the runtime's panic value for a fault.
type addrError interface {
	error
	Addr() uintptr
}

// Guard calls fn with panic-on-fault set for the current goroutine and
// returns what fn returns. A fault at an address inside one of regions
// becomes an *Error. Guard does not recover other panics, nor faults
// outside regions: it panics again with the same value, so that an outer
// Guard for another region, or the runtime, handles it.
//
// Goroutines that fn starts do not inherit the setting.
func Guard(fn func() error, regions ...[]byte) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			addr, ok := faultIn(r, regions)
			if !ok {
				panic(r)
			}
			err = &Error{Addr: addr}
		}
	}()
	return fn()
}

// faultIn returns the address of the fault r when it lies in one of
// regions.
func faultIn(r any, regions [][]byte) (uintptr, bool) {
	f, ok := r.(addrError)
	if !ok {
		return 0, false
	}
	addr := f.Addr()
	for _, mem := range regions {
		if contains(mem, addr) {
			return addr, true
		}
	}
	return 0, false
}

// contains reports whether addr lies in the memory of mem, up to its
// capacity.
func contains(mem []byte, addr uintptr) bool {
	if cap(mem) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	return addr >= start && addr-start < uintptr(cap(mem))
}
