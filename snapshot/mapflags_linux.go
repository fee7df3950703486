package snapshot

import "syscall"

// mapFlags are the mmap flags of FileStore.View. MAP_POPULATE prefaults
// the page tables of the whole mapping and reads the file ahead, so the
// scan of the body blocks less on page faults (mmap(2)).
const mapFlags = syscall.MAP_PRIVATE | syscall.MAP_POPULATE
