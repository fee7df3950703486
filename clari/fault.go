package clari

import "runtime/debug"

// faultHandoff moves a memory fault from a helper goroutine to the
// goroutine that started it, for inputs that are mapped files. A read of
// a mapped file past the end of a file that shrank raises SIGBUS, which
// crashes the program unless the goroutine set [debug.SetPanicOnFault].
// The setting is per goroutine, so newFaultHandoff records the starting
// goroutine's, run applies it on the helper and recovers a fault, and
// raise panics with that fault on the starting goroutine.
type faultHandoff struct {
	onFault bool
	fault   any
}

// newFaultHandoff returns a faultHandoff with the current goroutine's
// setting.
func newFaultHandoff() *faultHandoff {
	on := debug.SetPanicOnFault(true)
	debug.SetPanicOnFault(on)
	return &faultHandoff{onFault: on}
}

// run calls fn with the setting of the starting goroutine. Call it on the
// helper goroutine, and only once.
func (h *faultHandoff) run(fn func()) {
	if !h.onFault {
		fn()
		return
	}
	debug.SetPanicOnFault(true)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); !ok {
				panic(r)
			}
			h.fault = r
		}
	}()
	fn()
}

// raise panics with the fault that run recovered, if any. Call it on the
// starting goroutine once the helper has ended.
func (h *faultHandoff) raise() {
	if h.fault != nil {
		panic(h.fault)
	}
}
