//go:build unix

package clariwatch

import (
	"math"
	"os"
	"syscall"
	"time"
)

// mappedFile is an export file that a tick maps into memory instead of
// copying it: about 45 ms for 90 MB copied on a 2-core Linux VM, against
// under 5 ms mapped. Writing the file in place during the tick changes
// the bytes under the tick, so changed reports such a write.
type mappedFile struct {
	f     *os.File
	path  string
	body  []byte
	stamp fileStamp
}

// mapFile maps the first size bytes of the regular file f, whose stat is
// fi, read-only, and takes over f. It returns nil and leaves f to the
// caller, which then reads the file, in three cases: the file was
// modified or changed less than mapMinAge before now, the system does not
// give the change time, or the file cannot be mapped.
func mapFile(f *os.File, fi os.FileInfo, size int64, now time.Time) *mappedFile {
	if size <= 0 || size > math.MaxInt || !fi.Mode().IsRegular() {
		return nil
	}
	stamp := stampOf(fi)
	if !stamp.ctimeKnown || now.Sub(fi.ModTime()) < mapMinAge || now.Sub(time.Unix(0, stamp.ctime)) < mapMinAge {
		return nil
	}
	body, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, mapFlags)
	if err != nil {
		return nil
	}
	return &mappedFile{f: f, path: f.Name(), body: body, stamp: stamp}
}

// changed reports whether the file was written since it was mapped. It
// also returns true when fstat fails.
func (m *mappedFile) changed() bool {
	fi, err := m.f.Stat()
	return err != nil || writtenSince(m.path, m.stamp, fi)
}

// close removes the mapping and closes the file. Nothing may read the
// body after it.
func (m *mappedFile) close() {
	syscall.Munmap(m.body)
	m.f.Close()
}
