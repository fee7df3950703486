// Package snapshot stores forecast exports as immutable snapshots and keeps,
// per stream, the head: the snapshot that the last successful run alerted
// on.
//
// [Store] is the interface. [MemoryStore] keeps everything in memory;
// [FileStore] keeps it in a directory and survives crashes and concurrent
// runs. The package snapshottest holds a conformance suite that any Store
// can run.
package snapshot
