package snapshot

import (
	"fmt"
	"runtime/debug"
	"unsafe"
)

// faultError is a memory fault while reading a mapped snapshot file.
type faultError struct {
	addr uintptr
}

func (e *faultError) Error() string {
	return fmt.Sprintf("memory fault at %#x while reading a mapped file", e.addr)
}

// guardFault calls fn with the runtime's panic-on-fault set for the
// current goroutine, see [debug.SetPanicOnFault], and returns what fn
// returns. A fault at an address inside region, such as the SIGBUS of a
// read past the end of a truncated mapped file, becomes a *faultError.
// Other panics, and faults outside region, go on with the same value.
//
// The module's internal/fault package has the same guard; snapshot keeps
// its own so that it imports nothing from the module.
func guardFault(fn func() error, region []byte) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		f, ok := r.(interface{ Addr() uintptr })
		if !ok || !inRegion(region, f.Addr()) {
			panic(r)
		}
		err = &faultError{addr: f.Addr()}
	}()
	return fn()
}

// inRegion reports whether addr lies in the memory of region, up to its
// capacity.
func inRegion(region []byte, addr uintptr) bool {
	if cap(region) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(region)))
	return addr >= start && addr-start < uintptr(cap(region))
}
