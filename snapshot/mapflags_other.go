//go:build unix && !linux

package snapshot

import "syscall"

// mapFlags are the mmap flags of FileStore.View. The syscall package
// defines MAP_POPULATE only on Linux, so here each page is read in when
// it is first touched.
const mapFlags = syscall.MAP_PRIVATE
