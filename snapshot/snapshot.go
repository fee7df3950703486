package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"time"
)

// Key identifies one stream of snapshots: the exports of one forecast, for
// one time period, scope and currency. Snapshots of different keys are never
// compared with each other, so a new quarter starts a new stream.
//
// ForecastID must not be empty. Each field may hold any valid UTF-8 text
// except the NUL byte, other control characters, path separators ('/'
// and '\\') and the names "." and "..", and is at most [MaxKeyPartLen]
// bytes long.
// [Key.Validate] checks these rules; every Store method that takes a Key
// calls it.
type Key struct {
	ForecastID string `json:"forecast_id"`
	TimePeriod string `json:"time_period"`
	Scope      string `json:"scope"`
	Currency   string `json:"currency"`
	// Types is the export's filter on forecast types, for example a
	// comma-separated list. It is empty when the export is not filtered.
	Types string `json:"types,omitempty"`
}

// Meta describes one stored snapshot. Snapshots are immutable: a Meta never
// changes after [Store.Put] returns it.
type Meta struct {
	// ID is unique within a store. IDs made by [NewID] sort by time.
	ID  string `json:"id"`
	Key Key    `json:"key"`
	// TakenAt is when the export was fetched, in UTC.
	TakenAt time.Time `json:"taken_at"`
	// SourceJobID is the id of the export job that produced the body:
	// valid UTF-8 of at most 1024 bytes.
	SourceJobID string `json:"source_job_id,omitempty"`
	// SHA256 is the lower-case hex SHA-256 digest of the body.
	SHA256 string `json:"sha256"`
	// Size is the length of the body in bytes.
	Size int64 `json:"size"`
	// RowCount is the number of rows in the export, as the caller counted.
	RowCount int `json:"row_count"`
	// ParentID is the id of the snapshot this one was compared with, empty
	// for the first snapshot of a stream.
	ParentID string `json:"parent_id,omitempty"`
}

// Retention is a pruning policy for one stream.
type Retention struct {
	// KeepLast is the number of newest snapshots to keep. It must be at
	// least 1. The head and its parent are kept in any case.
	KeepLast int
}

// Store keeps the snapshots of many streams and, per stream, a head: the id
// of the snapshot that the last successful run alerted on.
//
// The intended order of calls in one run is: [Store.Head] to find the
// previous snapshot, [Store.Put] for the new export, compare and notify,
// then [Store.Advance] from the old head id to the new id. Advance is a
// compare-and-swap, so when two runs overlap only one moves the head.
//
// Implementations must be safe for concurrent use. Every method returns
// an error matching ctx.Err() when ctx is done before the call starts.
type Store interface {
	// Put stores an immutable snapshot with the body read from r and
	// returns its completed Meta. An empty m.ID is replaced by
	// NewID(m.TakenAt), a zero m.TakenAt by the current time, and TakenAt
	// is converted to UTC. Put computes SHA256 and Size. When m.SHA256 or
	// m.Size is set and differs from the body, Put returns an error
	// matching ErrCorrupt and stores nothing. An id that is already stored
	// returns an error matching ErrExists. Put does not move the head.
	Put(ctx context.Context, m Meta, r io.Reader) (Meta, error)

	// Get returns the snapshot with the given id and its body after
	// checking the body against the stored size and checksum (for a
	// FileStore, see "Body checks" in the package doc). A body that fails
	// the check is never returned: the error matches ErrCorrupt and, as a
	// *CorruptError, names the id. An unknown id returns an error
	// matching ErrNotFound.
	Get(ctx context.Context, id string) (Meta, []byte, error)

	// Head returns the Meta of the stream's head snapshot. A stream without
	// a head returns an error matching ErrNotFound. Head does not read the
	// body; call Get to read and check it.
	Head(ctx context.Context, k Key) (Meta, error)

	// Advance moves the stream's head from expected to id. An empty
	// expected means that the stream has no head yet. When the head is not
	// expected, Advance returns a *ConflictError, which matches
	// ErrConflict, and changes nothing, except that a head already equal to
	// id returns nil so that a retried Advance succeeds. The id must be a
	// snapshot stored under the same key, else the error matches
	// ErrNotFound.
	Advance(ctx context.Context, k Key, expected, id string) error

	// List returns the stream's snapshots, newest first: by TakenAt, then by
	// ID, both descending. A stream without snapshots returns an empty list
	// and a nil error.
	List(ctx context.Context, k Key) ([]Meta, error)

	// Prune deletes the stream's snapshots that the retention policy does
	// not keep and returns their ids. It never deletes the head or the
	// head's parent.
	Prune(ctx context.Context, k Key, r Retention) ([]string, error)

	// SetPending records the id of an export job that was started for the
	// stream but not yet stored, so that a retried run can resume that job
	// instead of starting another export. An empty jobID clears it.
	SetPending(ctx context.Context, k Key, jobID string) error

	// Pending returns the job id recorded by SetPending, or "" when none is
	// recorded.
	Pending(ctx context.Context, k Key) (string, error)
}

// idTimeLayout formats the time part of an id: fixed width, so that ids
// sort by time as strings.
const idTimeLayout = "20060102T150405.000000000Z"

// NewID returns a new snapshot id for a snapshot taken at t: the UTC time
// with nanoseconds, a dash and 12 random hex digits, for example
// "20260115T093000.000000000Z-5f2c0a9b13de". Ids of different times sort
// by time as strings.
func NewID(t time.Time) string {
	var b [6]byte
	// crypto/rand.Read never returns an error (Go 1.24 and later).
	_, _ = rand.Read(b[:])
	return t.UTC().Format(idTimeLayout) + "-" + hex.EncodeToString(b[:])
}
