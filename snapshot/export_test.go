package snapshot

// NewFaultError returns the error that View wraps for a memory fault at
// addr, for tests of the snapshot_test package.
func NewFaultError(addr uintptr) error { return &faultError{addr: addr} }

// IsFault reports whether err wraps the error of a memory fault.
func IsFault(err error) bool {
	for err != nil {
		if _, ok := err.(*faultError); ok {
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
