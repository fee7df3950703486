// Package snapshot stores forecast exports as immutable snapshots and keeps,
// per stream, the head: the snapshot that the last successful run alerted
// on.
//
// [Store] is the interface. [MemoryStore] keeps everything in memory;
// [FileStore] keeps it in a directory and survives crashes and concurrent
// runs. The package snapshottest holds a conformance suite that any Store
// can run.
//
// # Runs
//
// A run reads the head with [Store.Head] ([ErrNotFound] on the first run),
// stores the new export with [Store.Put], compares and notifies, and then
// calls [Store.Advance] from the old head id to the new id. When two runs
// overlap, one Advance succeeds and the other returns a [*ConflictError];
// the loser should drop its alerts or compare again with the new head.
// [Store.SetPending] records a started export job, so that a run that
// failed before Put can resume the job instead of starting another export.
//
// A caller that scans a body once can read it with [View] instead of
// Get. The body is then valid only until View's callback returns, because
// on Unix a FileStore lends a mapping of the file instead of copying the
// body into a new buffer.
//
// # File layout
//
// A [FileStore] directory contains:
//
//	streams/                 one directory per stream, mode 0700
//	  <Key.DirName>/
//	    key.json             the Key as JSON
//	    lock                 empty; locked around changes to the stream
//	    run.lock             empty; held by LockStream across a whole run
//	    HEAD                 the head id and a newline; missing: no head
//	    PENDING              the pending job id; missing: none
//	    snapshots/
//	      <id>.snap          body, metadata as JSON, fixed-length footer
//	      .tmp-*             files being written, or left by a crash
//	    .tmp-*
//
// Files and directories that the store creates have mode 0600 and 0700,
// whatever the umask, because exports hold revenue data. A store directory
// that already exists keeps its mode. Stream directory names come from
// [Key.DirName]: percent-encoded fields plus a digest, so no key names a
// path outside the directory, and all file access goes through [os.Root].
//
// # Crash safety
//
// Every file is written to a temporary file in its final directory,
// fsynced, renamed to its real name, and then the directory is fsynced. A
// crash therefore leaves either the old or the new file under a real name,
// never a partial one. Leftover temporary files are ignored by every read
// and removed by [OpenFileStore] and [FileStore.Prune] once they are older
// than [FileOptions.TempMaxAge].
//
// # Body checks
//
// The metadata of a snapshot file is the Meta, with the SHA-256 digest of
// the body, and the CRC-32 (IEEE) of the body. Put computes both checksums
// in the pass that writes the body, and a footer records the SHA-256
// digest of the metadata. [FileStore.Get] and [FileStore.View] check the
// size of the body and its CRC-32, and return a [*CorruptError] naming the
// id of a damaged snapshot. They never return or lend the damaged bytes.
// Files written before the CRC-32 was recorded have their body checked
// against Meta.SHA256 instead.
//
// The check guards against storage corruption only, for which a CRC-32
// suffices: a writer that can change the body can change the metadata
// too, so checking the SHA-256 would add no protection against tampering.
// A CRC-32 costs a small part of the CPU time of a SHA-256
// (BenchmarkView measures View with it). Meta.SHA256 stays the identity
// of the body that callers compare, but Get and View do not recompute it
// for files that record a CRC-32.
//
// # Locking
//
// On Unix, Put (for its final rename), Advance, Prune and SetPending hold
// an exclusive flock(2) on the stream's lock file, so goroutines and
// processes that share a directory exclude each other, and the kernel
// releases the lock of a process that dies. The directory must be on a
// local file system: flock over NFS depends on the client and server.
//
// On other systems, such as Windows, the lock is a file created
// exclusively next to the lock file and removed on release. It excludes
// processes as well, but a crashed holder blocks the stream for two
// minutes, after which the file counts as stale and is removed, and two
// waiters can then both take the lock. Renames on Windows replace the old
// file but are not guaranteed to be atomic, and directories are not
// fsynced there, so the crash guarantees above are best effort on those
// systems.
package snapshot
