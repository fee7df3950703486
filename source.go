package clariwatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/internal/fault"
)

// Source produces forecast exports for a [Monitor].
type Source interface {
	// Fetch returns one export. A source that runs export jobs resumes
	// req.ResumeJobID when it is set instead of starting a job, and calls
	// req.OnJobStarted with the id of a job it starts, before waiting for
	// it. On error, Fetch may still return a *Fetched with JobID set, so
	// that the caller can tell which job failed.
	Fetch(ctx context.Context, req FetchRequest) (*Fetched, error)
}

// FetchRequest is the per-call input of [Source.Fetch].
type FetchRequest struct {
	// ResumeJobID is the id of an export job that an earlier run started
	// and did not store; empty starts a new job.
	ResumeJobID string
	// OnJobStarted, when set, receives the id of a new job before the
	// source waits for it. An error from it stops Fetch.
	OnJobStarted func(jobID string) error
}

// Fetched is one export returned by a [Source].
type Fetched struct {
	// Body is the export as received, stored unchanged as the snapshot.
	Body []byte
	// Export is Body decoded.
	Export *clari.Export
	// JobID is the export job that produced Body; empty for files.
	JobID string

	// table, when not nil, is the table of Body's rows, which points
	// into Body. Export then has only the time period and the field of a
	// per-owner export, which is all that a tick needs of it. Only
	// fetchFrom sets it.
	table diff.Table
	// mapped, when not nil, is the mapping of the file that Body is. No
	// one may read Body, the table or its rows after it is closed.
	mapped *mappedFile
}

// ClariSource fetches exports from Clari's forecast export API.
type ClariSource struct {
	// Client calls the API.
	Client *clari.Client
	// ForecastID is the forecast tab to export, such as "net_bookings".
	ForecastID string
	// Request selects the period, scope, currency and value types.
	Request clari.ExportRequest
}

var _ Source = (*ClariSource)(nil)

// Fetch runs one export with [clari.Client.Export]: it starts a job or
// resumes req.ResumeJobID, waits for it, downloads and decodes the results.
func (s *ClariSource) Fetch(ctx context.Context, req FetchRequest) (*Fetched, error) {
	if s.Client == nil || s.ForecastID == "" {
		return nil, fmt.Errorf("clariwatch: ClariSource needs a Client and a ForecastID")
	}
	res, err := s.Client.Export(ctx, s.ForecastID, s.Request, &clari.ExportOptions{
		ResumeJobID:  req.ResumeJobID,
		OnJobStarted: req.OnJobStarted,
	})
	if err != nil {
		var f *Fetched
		if res != nil {
			f = &Fetched{JobID: res.JobID}
		}
		return f, err
	}
	return &Fetched{Body: res.Body, Export: res.Export, JobID: res.JobID}, nil
}

// FileSource reads an export from a file, in Clari's export shape or in
// the per-owner shape that [clari.ReadOptions.Read] accepts.
//
// On Linux and macOS a Monitor maps a regular file into memory for a tick
// instead of copying it, unless the file was modified or changed in the
// last two seconds. The tick checks the file's size and times once it has
// used the file, and reads a recently changed file that it copied a
// second time to compare. When it finds that the file was written during
// the tick, the tick fails with an error, sends nothing and keeps the
// head. Write each export to a new file and rename it over Path: a
// running tick keeps reading the file it opened. A FIFO that no process
// has open for writing fails the tick at once.
//
// NOTE: a write through another process's shared writable mapping of the
// file may change neither its size nor its times, so a tick that mapped
// the file does not see it.
type FileSource struct {
	// Path is the file to read on every Fetch.
	Path string
	// Period is the time period of per-owner entries that name none.
	Period string
	// MaxSize is the maximum file size accepted, in bytes. A larger file
	// fails with clari.ErrTooLarge. Zero means
	// clari.DefaultMaxDownloadSize, the limit of API downloads.
	MaxSize int64
}

var _ Source = (*FileSource)(nil)

// Fetch reads and decodes the file. It ignores req, because a file has no
// export job. Errors are *clari.FileError values that name the path.
func (s *FileSource) Fetch(ctx context.Context, req FetchRequest) (*Fetched, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	body, err := s.read(ctx)
	if err != nil {
		return nil, &clari.FileError{Path: s.Path, Err: err}
	}
	exp, err := decodeExport(body, s.Period)
	if err != nil {
		return nil, &clari.FileError{Path: s.Path, Err: err}
	}
	return &Fetched{Body: body, Export: exp}, nil
}

// fetchRows is Fetch for a tick: it converts a per-owner file in the
// common form that clari.ReadOptions.ReadOwnerTable takes straight to a
// table, and builds no full Export for it. Other files go through Fetch.
//
// On Linux and macOS the body of the returned Fetched may map the file,
// until Fetched.mapped is closed. A file truncated while the tick reads it
// then fails the tick with an error that wraps a *fault.Error.
func (s *FileSource) fetchRows(ctx context.Context, req FetchRequest, onBody func([]byte)) (*Fetched, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	body, mapped, err := s.load(ctx, true)
	if err != nil {
		return nil, &clari.FileError{Path: s.Path, Err: err}
	}
	f := &Fetched{Body: body, mapped: mapped}
	var table *clari.OwnerTable
	err = fault.Guard(func() error {
		// onBody reads the start of body.
		onBody(body)
		var ok bool
		if table, ok = (clari.ReadOptions{Period: s.Period}).ReadOwnerTable(body); ok {
			return nil
		}
		var err error
		f.Export, err = decodeExport(body, s.Period)
		return err
	}, body)
	if err != nil {
		// Nothing else reads the body: the early comparison that onBody
		// may have started waits for the table, which never comes.
		if mapped != nil {
			mapped.close()
		}
		return nil, &clari.FileError{Path: s.Path, Err: changedFileError(err)}
	}
	if table == nil {
		return f, nil
	}
	// ReadOwnerTable returns rows of one period, and the common per-owner
	// form has no currency key, so this Export gives the tick the period
	// and currency that the full one would.
	exp := &clari.Export{
		Fields:      []clari.Field{{FieldID: clari.OwnerFieldID, FieldName: clari.OwnerFieldName}},
		TimePeriods: []clari.TimePeriod{{TimePeriodID: table.Period()}},
	}
	f.Export, f.table = exp, table
	return f, nil
}

// changedFileError explains a memory fault in a mapped export file.
func changedFileError(err error) error {
	if ferr, ok := err.(*fault.Error); ok {
		return fmt.Errorf("the file shrank or could not be read during the tick; "+
			"write each export to a new file and rename it into place: %w", ferr)
	}
	return err
}

// fetchFrom fetches an export from src for a tick. A FileSource calls
// onBody with the file's bytes before it converts them. A Source that
// wraps a FileSource goes through its Fetch and the full Export, which
// gives the same rows more slowly.
func fetchFrom(ctx context.Context, src Source, req FetchRequest, onBody func([]byte)) (*Fetched, error) {
	if fs, ok := src.(*FileSource); ok && fs != nil {
		return fs.fetchRows(ctx, req, onBody)
	}
	return src.Fetch(ctx, req)
}

// read reads at most MaxSize bytes of the file, so that a huge file or a
// device such as /dev/zero cannot exhaust memory.
func (s *FileSource) read(ctx context.Context) ([]byte, error) {
	body, _, err := s.load(ctx, false)
	return body, err
}

// openExportFile opens path for reading. It opens anything but a regular
// file without blocking, because opening a FIFO blocks until another
// process opens it for writing, and a tick must stop when its context is
// done.
func openExportFile(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().IsRegular() || fi.IsDir() {
		return os.Open(path)
	}
	return os.OpenFile(path, os.O_RDONLY|nonBlocking, 0)
}

// maxFileLimit bounds FileSource.MaxSize. load reads up to one byte past
// the limit to detect a larger file, and that count must not overflow.
const maxFileLimit = math.MaxInt - 1

// load returns at most MaxSize bytes of the file. With mapped set, it
// maps a regular file read-only where the system supports that and the
// file is not too new, and returns the mapping, which the caller must
// close. It reads other files into memory, and then m is nil.
func (s *FileSource) load(ctx context.Context, mapped bool) (body []byte, m *mappedFile, err error) {
	limit := s.MaxSize
	if limit <= 0 {
		limit = clari.DefaultMaxDownloadSize
	}
	limit = min(limit, maxFileLimit)
	f, err := openExportFile(s.Path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	size := int64(0)
	if fi.Mode().IsRegular() {
		size = min(fi.Size(), limit+1)
	}
	if size <= limit && mapped {
		if m := mapFile(f, fi, size, time.Now()); m != nil {
			return m.body, m, nil
		}
	}
	defer f.Close()
	// A pipe or device, opened without blocking, takes a read deadline,
	// so that on Unix systems a tick stops waiting for it once ctx is done.
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	if size <= limit {
		body, err = readAll(ctx, f, size, limit)
		if err != nil {
			return nil, nil, err
		}
	}
	if size > limit || int64(len(body)) > limit {
		return nil, nil, fmt.Errorf("%w: the file has more than %d bytes; raise FileSource.MaxSize if it is a real export", clari.ErrTooLarge, limit)
	}
	if fi.Mode()&os.ModeNamedPipe != 0 && len(body) == 0 {
		return nil, nil, errors.New("read 0 bytes from the FIFO: no process had it open for writing; start the writer first")
	}
	if fi.Mode().IsRegular() {
		if err := checkCopy(f, s.Path, fi, body, time.Now()); err != nil {
			return nil, nil, err
		}
	}
	return body, nil, nil
}

// mapMinAge is the minimum age of an export file's modification and
// change times for a tick to map it. A newer file may still be in the
// middle of a write. A second write within the same tick of the file
// system's clock as the first can leave both times unchanged, so
// mappedFile.changed could miss it. A newer file is read into memory.
// Tests of the mapped path lower it, because they cannot set a change
// time back.
var mapMinAge = 2 * time.Second

// writtenSince reports whether the open file whose stamp was before and
// whose stat is now fi was written since. A new change time alone counts
// as a write while path still names the file. Renaming another file over
// the path, or removing it, also changes the change time, but after that
// no writer that opens the path reaches the file.
func writtenSince(path string, before fileStamp, fi os.FileInfo) bool {
	written, changed := compareStamps(before, stampOf(fi))
	if written || !changed {
		return written
	}
	named, err := os.Stat(path)
	return err == nil && os.SameFile(named, fi)
}

// errWrittenWhileRead is the error for an export file that was written
// while it was read.
var errWrittenWhileRead = errors.New("the file was written while it was read; " +
	"write each export to a new file and rename it into place")

// checkCopy returns an error when the regular file f, whose stat before
// the read was before, was written while body was read from it. A copy
// is what the tick uses, so only a write during the copy matters: it may
// have torn the export. A second write within one tick of the file
// system's clock can keep every time of the file, so when the file
// changed less than mapMinAge before now, checkCopy reads it again and
// compares.
func checkCopy(f *os.File, path string, before os.FileInfo, body []byte, now time.Time) error {
	after, err := f.Stat()
	if err != nil {
		return err
	}
	stamp := stampOf(after)
	if writtenSince(path, stampOf(before), after) {
		return errWrittenWhileRead
	}
	recent := now.Sub(after.ModTime()) < mapMinAge ||
		!stamp.ctimeKnown || now.Sub(time.Unix(0, stamp.ctime)) < mapMinAge
	if !recent {
		return nil
	}
	again := make([]byte, len(body)+1)
	n, err := f.ReadAt(again, 0)
	if err != nil && err != io.EOF {
		return err
	}
	if !bytes.Equal(again[:n], body) {
		return errWrittenWhileRead
	}
	return nil
}

// readAll reads r to its end into a buffer of size bytes and a few more
// at first, so that reading a file of known size copies nothing. It
// grows the buffer to at most limit+1 bytes, enough to tell that the
// input is larger than limit, and stops with ctx's error once ctx is done.
func readAll(ctx context.Context, r io.Reader, size, limit int64) ([]byte, error) {
	// size and limit are at most maxFileLimit+1, so min(size, limit) + 512
	// cannot overflow; min keeps it at most limit + 1.
	b := make([]byte, 0, min(min(size, limit)+512, limit+1))
	for {
		if err := ctx.Err(); err != nil {
			return b, err
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
				err = ctx.Err()
			}
			return b, err
		}
		if int64(len(b)) > limit {
			return b, nil
		}
		if len(b) == cap(b) {
			b = slices.Grow(b, int(min(int64(cap(b)), limit+1-int64(len(b)))))
		}
	}
}

// decodeExport decodes a stored or read export in either shape. period is
// the time period of per-owner entries that name none.
func decodeExport(body []byte, period string) (*clari.Export, error) {
	exp, err := clari.ReadOptions{Period: period}.Read(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", clari.ErrInvalidExport, unprefix(err))
	}
	return exp, nil
}

// unprefixedError drops a package prefix from a wrapped error's message.
type unprefixedError struct{ err error }

func (e unprefixedError) Error() string { return strings.TrimPrefix(e.err.Error(), "clari: ") }
func (e unprefixedError) Unwrap() error { return e.err }

func unprefix(err error) error { return unprefixedError{err} }
