package clariwatch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/internal/fault"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// tick holds the state of one run of Tick.
type tick struct {
	m       *Monitor
	res     *Result
	log     *slog.Logger
	fetched *Fetched
	// cur is the new export's table. curReady is closed once it is set,
	// so that the early comparison with the head can wait for it.
	cur      diff.Table
	curReady chan struct{}
	snap     snapshot.Meta
	early    *earlyHead
	// body is the export as a file source read it, which may map the
	// file, so that the tick's goroutines can catch its memory faults.
	body []byte
}

// Tick runs one monitoring tick:
//
//  1. Fetch the export, resuming the job id that an earlier tick recorded
//     as pending for this request, so that a retried tick never starts a
//     second export. A failed fetch or job changes no snapshot and no head.
//  2. Take the stream's lock and read its head.
//  3. Store the export as a snapshot whose parent is the head, and clear
//     the pending job id.
//  4. Compare it with the head, unless it is the stream's first export
//     (a baseline) or byte for byte the head's.
//  5. Reject an export that lacks too many of the head's owners with a
//     *SuspiciousExportError.
//  6. Send the alerts when there are changes. The message key joins the
//     stream, the head id and the new export's SHA-256, so receivers can
//     drop the repeats of a retried tick.
//  7. Advance the head to the new snapshot, only after the notifier
//     succeeded. A notifier error returns an error and leaves the head,
//     so the next tick alerts again from the same head.
//
// In a dry run Tick fetches and compares but writes nothing and sends
// nothing. The returned Result is non-nil whenever the export was fetched,
// even with an error.
func (m *Monitor) Tick(ctx context.Context) (*Result, error) {
	t := &tick{m: m, res: &Result{DryRun: m.cfg.DryRun}, log: m.log, curReady: make(chan struct{})}
	defer func() { t.early.stop() }()
	if err := t.fetch(ctx); err != nil {
		if t.fetched == nil {
			return nil, err
		}
		t.release()
		return t.res, err
	}
	err := t.guard(func() error { return t.run(ctx) })
	t.release()
	return t.res, err
}

// release removes the mapping of the export file, once the early
// comparison, the last goroutine of the tick that may read it, stopped.
// A tick that panics skips it and leaves the mapping in place.
func (t *tick) release() {
	t.early.stop()
	if t.fetched != nil && t.fetched.mapped != nil {
		t.fetched.mapped.close()
		t.fetched.mapped = nil
	}
}

// guard runs fn and turns a memory fault in the mapped export file into
// an error that names the file.
func (t *tick) guard(fn func() error) error {
	err := fault.Guard(fn, t.body)
	if ferr, ok := err.(*fault.Error); ok {
		return t.exportFileError(changedFileError(ferr))
	}
	return err
}

// checkExportFile returns an error when the mapped export file was
// written during the tick: the snapshot, the table and the comparison
// may then each hold different bytes, so the tick sends nothing and
// keeps the head.
func (t *tick) checkExportFile() error {
	if t.fetched == nil || t.fetched.mapped == nil || !t.fetched.mapped.changed() {
		return nil
	}
	return t.exportFileError(errors.New("the file was written during the tick, so its snapshot and comparison " +
		"may differ; write each export to a new file and rename it into place"))
}

// mappedReader reads a mapped export for Store.Put. A store may read
// its input on a goroutine of its own, which the tick's fault guards do
// not cover, so each Read copies under its own guard and returns a fault
// as its error.
type mappedReader struct {
	body []byte
	off  int
	// wrap turns a fault into the tick's error for the export file.
	wrap func(error) error
}

func (r *mappedReader) Read(p []byte) (int, error) {
	if r.off >= len(r.body) {
		return 0, io.EOF
	}
	var n int
	err := fault.Guard(func() error {
		n = copy(p, r.body[r.off:])
		return nil
	}, r.body)
	if err != nil {
		return 0, r.wrap(changedFileError(err))
	}
	r.off += n
	return n, nil
}

// exportFileError wraps err, about the export file, with its path.
func (t *tick) exportFileError(err error) error {
	path := ""
	if fs, ok := t.m.cfg.Source.(*FileSource); ok && fs != nil {
		path = fs.Path
	}
	return fmt.Errorf("clariwatch: read export: %w", &clari.FileError{Path: path, Err: err})
}

// run stores and compares the fetched export, notifies and advances the
// head.
func (t *tick) run(ctx context.Context) error {
	m := t.m
	early := t.earlyFor(ctx, t.res.Stream)
	if err := t.convert(ctx); err != nil {
		return err
	}
	unlock, err := t.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	head, err := m.cfg.Store.Head(ctx, t.res.Stream)
	switch {
	case errors.Is(err, snapshot.ErrNotFound):
		t.res.Baseline = true
	case err != nil:
		return fmt.Errorf("clariwatch: read head of stream %s: %w", t.res.Stream, err)
	default:
		t.res.HeadID = head.ID
	}
	err = t.storeAndCompare(ctx, head, early)
	// A fault in the export file explains itself. Any other error may
	// come from bytes that changed under the tick, so a write to the file
	// is reported first.
	var faultErr *fault.Error
	if !errors.As(err, &faultErr) {
		if cerr := t.checkExportFile(); cerr != nil {
			return cerr
		}
	}
	if err != nil {
		return err
	}
	if err := t.notify(ctx); err != nil {
		return err
	}
	return t.advance(ctx)
}

// lock takes the stream's lock. A dry run takes none: it writes nothing,
// and FileStore.LockStream would create the stream's directory and lock
// file. Snapshots are immutable, so a dry run that reads a head while
// another tick advances it still compares with a complete snapshot.
func (t *tick) lock(ctx context.Context) (func(), error) {
	if t.m.cfg.DryRun {
		return func() {}, nil
	}
	unlock, err := t.m.locker.LockStream(ctx, t.res.Stream)
	if err != nil {
		return nil, fmt.Errorf("clariwatch: lock stream %s: %w", t.res.Stream, err)
	}
	return unlock, nil
}

// fetch gets the export and derives the stream key.
func (t *tick) fetch(ctx context.Context) error {
	cfg := t.m.cfg
	reqKey := requestKey(cfg)
	pending, err := cfg.Store.Pending(ctx, reqKey)
	if err != nil {
		return fmt.Errorf("clariwatch: read pending job of %s: %w", reqKey, err)
	}
	req := FetchRequest{ResumeJobID: pending}
	if !cfg.DryRun {
		req.OnJobStarted = func(jobID string) error {
			t.log.InfoContext(ctx, "export job started", "request", reqKey.String(), "job_id", jobID)
			return cfg.Store.SetPending(ctx, reqKey, jobID)
		}
	}
	if pending != "" {
		t.log.InfoContext(ctx, "resuming export job", "request", reqKey.String(), "job_id", pending)
	}
	f, err := fetchFrom(ctx, cfg.Source, req, func(body []byte) {
		t.body = body
		t.startEarlyFromBody(ctx, body)
	})
	if err != nil {
		t.dropDeadJob(ctx, reqKey, f, err)
		return fmt.Errorf("clariwatch: fetch export of %s: %w", reqKey, err)
	}
	if f == nil || f.Export == nil {
		return fmt.Errorf("clariwatch: fetch export of %s: the source returned no export", reqKey)
	}
	t.fetched, t.res.JobID = f, f.JobID
	if err := t.prepare(reqKey); err != nil {
		t.dropDeadJob(ctx, reqKey, f, err)
		return err
	}
	return nil
}

// convert turns the export into a table of rows. It runs after fetch so
// that the head snapshot can be decoded at the same time.
func (t *tick) convert(ctx context.Context) error {
	if t.fetched.table != nil {
		t.cur = t.fetched.table
		close(t.curReady)
		return nil
	}
	rows, err := t.fetched.Export.Rows()
	if err != nil {
		err = fmt.Errorf("clariwatch: export of %s: %w", requestKey(t.m.cfg), err)
		t.dropDeadJob(ctx, requestKey(t.m.cfg), t.fetched, err)
		return err
	}
	t.cur = diff.Rows(rows)
	close(t.curReady)
	return nil
}

// dropDeadJob clears the pending job id when resuming the job can never
// give a usable export: the job ended without results, is gone, or its
// results were rejected. The next tick then starts a new export.
func (t *tick) dropDeadJob(ctx context.Context, reqKey snapshot.Key, f *Fetched, err error) {
	jobID := ""
	if f != nil {
		jobID = f.JobID
	}
	var jobErr *clari.JobError
	var apiErr *clari.APIError
	dead := errors.As(err, &jobErr) ||
		(errors.As(err, &apiErr) && apiErr.StatusCode == 404 && apiErr.JobID != "") ||
		(jobID != "" && (errors.Is(err, clari.ErrPeriodMismatch) || errors.Is(err, clari.ErrTruncated) ||
			errors.Is(err, clari.ErrInvalidExport)))
	if !dead || t.m.cfg.DryRun {
		return
	}
	t.log.InfoContext(ctx, "dropping pending job", "request", reqKey.String(), "job_id", jobID, "err", err)
	if cerr := t.m.cfg.Store.SetPending(ctx, reqKey, ""); cerr != nil {
		t.log.ErrorContext(ctx, "clear pending job failed", "request", reqKey.String(), "job_id", jobID, "err", cerr)
	}
}

// prepare checks the export's period and fills in the stream key.
func (t *tick) prepare(reqKey snapshot.Key) error {
	exp := t.fetched.Export
	period := exp.Period()
	if period == "" {
		// An export without entries names no period; it belongs to the
		// requested one, and the partial-export check judges it.
		period = reqKey.TimePeriod
	}
	if reqKey.TimePeriod != "" && period != reqKey.TimePeriod {
		return fmt.Errorf("clariwatch: %w", &clari.PeriodMismatchError{
			JobID: t.fetched.JobID, Requested: reqKey.TimePeriod, Returned: period})
	}
	if period == "" {
		return fmt.Errorf("clariwatch: export of %s names no time period; pass the period", reqKey)
	}
	key := reqKey
	key.TimePeriod = period
	if err := key.Validate(); err != nil {
		return fmt.Errorf("clariwatch: export of %s: %w", reqKey, err)
	}
	t.res.Stream = key
	return nil
}

// exportCurrency returns the currency of the export's first entry that
// names one.
func exportCurrency(exp *clari.Export) string {
	for _, e := range exp.Entries {
		if e.Currency != "" {
			return e.Currency
		}
	}
	return ""
}

// store puts the export as a snapshot and clears the pending job. A dry
// run only computes the digest.
func (t *tick) store(ctx context.Context) error {
	cfg := t.m.cfg
	body := t.fetched.Body
	if cfg.DryRun {
		sum := sha256.Sum256(body)
		t.snap = snapshot.Meta{Key: t.res.Stream, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(body))}
		return nil
	}
	meta := snapshot.Meta{
		Key:         t.res.Stream,
		TakenAt:     cfg.Now().UTC(),
		SourceJobID: t.fetched.JobID,
		RowCount:    t.cur.Len(),
		ParentID:    t.res.HeadID,
	}
	var r io.Reader = bytes.NewReader(body)
	if t.fetched.mapped != nil {
		r = &mappedReader{body: body, wrap: t.exportFileError}
	}
	snap, err := cfg.Store.Put(ctx, meta, r)
	if err != nil {
		return fmt.Errorf("clariwatch: store snapshot of stream %s (job %q): %w", t.res.Stream, t.fetched.JobID, err)
	}
	t.snap, t.res.SnapshotID = snap, snap.ID
	t.log.InfoContext(ctx, "snapshot stored", "stream", t.res.Stream.String(), "job_id", snap.SourceJobID,
		"snapshot_id", snap.ID, "parent_id", snap.ParentID, "rows", snap.RowCount, "bytes", snap.Size)
	if t.fetched.JobID == "" {
		return nil
	}
	if err := cfg.Store.SetPending(ctx, requestKey(cfg), ""); err != nil {
		return fmt.Errorf("clariwatch: clear pending job %q: %w", t.fetched.JobID, err)
	}
	return nil
}

// storeAndCompare stores the export and compares it with the head. An
// export whose size differs from the head's cannot be the head, so it is
// compared while it is being stored.
func (t *tick) storeAndCompare(ctx context.Context, head snapshot.Meta, early *earlyHead) error {
	if t.res.Baseline || head.Size == int64(len(t.fetched.Body)) {
		if err := t.store(ctx); err != nil {
			return err
		}
		t.saveOrder(ctx, head.SHA256)
		return t.compare(ctx, head, nil)
	}
	stored := make(chan error, 1)
	go func() {
		err := t.guard(func() error { return t.store(ctx) })
		if err == nil {
			t.saveOrder(ctx, head.SHA256)
		}
		stored <- err
	}()
	var d *headDiff
	var storeErr error
	func() {
		// The store goroutine reads the export, so it must end before
		// the tick can unmap the export, also when diffHead panics.
		defer func() { storeErr = <-stored }()
		d = t.diffHead(ctx, head, early)
	}()
	if storeErr != nil {
		return storeErr
	}
	return t.compare(ctx, head, d)
}

// headDiff is the comparison of an export with the head: the owners of
// the head, how many of them the export lacks, and the report.
type headDiff struct {
	// empty is true when the head has no rows.
	empty bool
	// owners counts the head's (period, owner) pairs, and missing those
	// that the export lacks. Both stay 0 when the report shows that the
	// export lacks no key of the head, so that none can be missing.
	owners, missing int
	report          *diff.Report
	err             error // from reading the head
	diffErr         error // from diff.ComputeTables
}

// diffHead compares the export with the head. It runs while the export
// is stored, so it reads nothing that store writes.
func (t *tick) diffHead(ctx context.Context, head snapshot.Meta, early *earlyHead) *headDiff {
	if d := early.result(head); d != nil {
		return d
	}
	return t.compareHead(ctx, t.res.Stream, head)
}

// compareHead reads the head snapshot and compares the export with it.
// The store lends the head's body only while its callback runs, and the
// head's table may point into that body, so the comparison runs inside
// the callback and keeps only the report, which holds its own copies of
// the strings.
func (t *tick) compareHead(ctx context.Context, k snapshot.Key, head snapshot.Meta) *headDiff {
	d := &headDiff{}
	order := t.m.loadOrder(ctx, k, head)
	err := snapshot.View(ctx, t.m.cfg.Store, head.ID, func(_ snapshot.Meta, body []byte) error {
		previous, inCachedOrder, err := headTable(ctx, k.TimePeriod, body, order)
		if err != nil {
			d.err = fmt.Errorf("clariwatch: decode head %s of stream %s: %w", head.ID, k, err)
			return nil
		}
		switch {
		case inCachedOrder:
			t.log.DebugContext(ctx, "cached row order of the head used", "stream", k.String(), "head_id", head.ID)
		case order != nil:
			// The file passed its CRC-32, so it was written for other
			// rows, by hand or by a version with another order.
			t.log.WarnContext(ctx, "cached row order ignored: it does not fit the head's rows",
				"stream", k.String(), "head_id", head.ID)
		}
		select {
		case <-t.curReady:
		case <-ctx.Done():
			return ctx.Err()
		}
		d.empty = previous.Len() == 0
		// When the export turns out to be partial, compare drops the
		// report. When the report has no key that only the head has, no
		// owner can be missing, so the tick counts owners only after a
		// report that has such keys, or no report. On two cores, running
		// the count beside the diff cost more CPU time than it saved.
		d.report, d.diffErr = diff.ComputeTables(previous, t.cur, t.m.cfg.Diff)
		if d.diffErr != nil || mayLackOwners(d.report.Summary) {
			d.owners, d.missing = missingOwners(previous, t.cur)
		}
		return nil
	})
	if err != nil {
		return &headDiff{err: fmt.Errorf("clariwatch: read head %s of stream %s: %w", head.ID, k, err)}
	}
	return d
}

// compare sets the report: a baseline, an unchanged export, or d, the
// comparison with the head, computed now when d is nil. It returns the
// partial-export error.
func (t *tick) compare(ctx context.Context, head snapshot.Meta, d *headDiff) error {
	switch {
	case t.res.Baseline:
		t.baseline(ctx, "first export of the stream")
	case head.SHA256 == t.snap.SHA256 && head.Size == t.snap.Size:
		t.res.Unchanged = true
		n := t.cur.Len()
		t.res.Report = &diff.Report{Periods: []string{t.res.Stream.TimePeriod}, Changes: []diff.Change{},
			Summary: diff.Summary{Compared: n, Unchanged: n}}
		t.log.InfoContext(ctx, "export unchanged", "stream", t.res.Stream.String(), "job_id", t.res.JobID,
			"head_id", head.ID, "snapshot_id", t.res.SnapshotID)
	default:
		if d == nil {
			d = t.diffHead(ctx, head, nil)
		}
		switch {
		case d.err != nil:
			return d.err
		case d.empty:
			// A head without values, such as an export taken before anyone
			// forecast, gives nothing to compare with. This export becomes
			// the baseline instead of reporting every value as added.
			t.res.Baseline = true
			t.baseline(ctx, "the head has no values")
			t.render()
			return nil
		case t.suspicious(d.owners, d.missing):
			return &SuspiciousExportError{Stream: t.res.Stream, HeadID: t.res.HeadID, SnapshotID: t.res.SnapshotID,
				HeadOwners: d.owners, Missing: d.missing, MaxShare: t.m.cfg.MaxMissingOwners}
		case d.diffErr != nil:
			return fmt.Errorf("clariwatch: compare snapshot %s with head %s: %w", t.res.SnapshotID, head.ID, d.diffErr)
		}
		t.res.Report = d.report
		t.log.InfoContext(ctx, "compared", "stream", t.res.Stream.String(), "job_id", t.res.JobID, "head_id", head.ID,
			"snapshot_id", t.res.SnapshotID, "changes", len(d.report.Changes))
	}
	t.render()
	return nil
}

// baseline sets the empty report of a baseline and logs why.
func (t *tick) baseline(ctx context.Context, reason string) {
	t.res.Report = &diff.Report{Periods: []string{t.res.Stream.TimePeriod}, Changes: []diff.Change{}}
	t.log.InfoContext(ctx, "baseline", "stream", t.res.Stream.String(), "job_id", t.res.JobID,
		"snapshot_id", t.res.SnapshotID, "head_id", t.res.HeadID, "reason", reason)
}

// headTable converts the body of a head snapshot to a table. A
// per-owner body becomes a table that points into body. inOrder reports
// whether order, the cached order of its rows, was right and used.
func headTable(ctx context.Context, period string, body []byte, order []uint32) (table diff.Table, inOrder bool, err error) {
	if table, inOrder, ok := readOwnerTableCached(period, body, order); ok {
		return table, inOrder, nil
	}
	exp, err := decodeExportFrom(ctxReader{ctx, bytes.NewReader(body)}, period)
	if err != nil {
		return nil, false, err
	}
	rows, err := exp.Rows()
	if err != nil {
		return nil, false, err
	}
	return diff.Rows(rows), false, nil
}

// suspicious reports whether an export that lacks missing of the head's
// owners is partial.
func (t *tick) suspicious(owners, missing int) bool {
	return owners > 0 && float64(missing) > t.m.cfg.MaxMissingOwners*float64(owners)
}

// render builds the alert message from the report.
func (t *tick) render() {
	opts := t.m.cfg.Render
	if opts.Currency == "" {
		opts.Currency = t.res.Stream.Currency
	}
	if opts.Currency == "" {
		opts.Currency = exportCurrency(t.fetched.Export)
	}
	if opts.Stream == "" {
		opts.Stream = t.res.Stream.ForecastID
	}
	opts.Baseline = t.res.Baseline
	opts.DryRun = t.m.cfg.DryRun
	opts.Key = deliveryKey(t.res.Stream, t.res.HeadID, t.snap.SHA256)
	t.res.Message = notify.RenderReport(t.res.Report, &opts)
}

// deliveryKey identifies the alerts of one comparison: the stream, the
// head compared with and the SHA-256 of the new export. A retried tick
// stores the same export under a new snapshot id, but its key stays the
// same, so that receivers drop the repeats.
func deliveryKey(k snapshot.Key, headID, sha256 string) string {
	return k.String() + ":" + headID + ":" + sha256
}

// notify sends the message when the report has changes.
func (t *tick) notify(ctx context.Context) error {
	n := t.m.cfg.Notifier
	if n == nil || t.m.cfg.DryRun || t.res.Baseline || len(t.res.Report.Changes) == 0 {
		return nil
	}
	if err := n.Notify(ctx, t.res.Message); err != nil {
		return fmt.Errorf("clariwatch: notify changes of stream %s (head %s, snapshot %s); the head was not moved, "+
			"so the next tick sends them again: %w", t.res.Stream, t.res.HeadID, t.res.SnapshotID, err)
	}
	t.res.Notified = true
	t.log.InfoContext(ctx, "notified", "stream", t.res.Stream.String(), "job_id", t.res.JobID, "head_id", t.res.HeadID,
		"snapshot_id", t.res.SnapshotID, "changes", len(t.res.Report.Changes))
	return nil
}

// advance moves the head from the one compared with to the new snapshot.
func (t *tick) advance(ctx context.Context) error {
	if t.m.cfg.DryRun {
		return nil
	}
	err := t.m.cfg.Store.Advance(ctx, t.res.Stream, t.res.HeadID, t.res.SnapshotID)
	if err != nil {
		return fmt.Errorf("clariwatch: advance head of stream %s from %q to %s: %w",
			t.res.Stream, t.res.HeadID, t.res.SnapshotID, err)
	}
	t.res.Advanced = true
	t.log.InfoContext(ctx, "head advanced", "stream", t.res.Stream.String(), "job_id", t.res.JobID,
		"from", t.res.HeadID, "to", t.res.SnapshotID)
	t.prune(ctx)
	return nil
}

// prune applies the retention policy after the head moved. A failure is
// logged, not returned: the alerts were sent and the head moved, so the
// tick succeeded, and the next tick prunes again.
func (t *tick) prune(ctx context.Context) {
	if t.m.cfg.Keep < 0 {
		return
	}
	removed, err := t.m.cfg.Store.Prune(ctx, t.res.Stream, snapshot.Retention{KeepLast: t.m.cfg.Keep})
	if err != nil {
		t.log.WarnContext(ctx, "prune failed", "stream", t.res.Stream.String(), "job_id", t.res.JobID,
			"snapshot_id", t.res.SnapshotID, "err", err)
		return
	}
	t.res.Pruned = removed
	if len(removed) > 0 {
		t.log.InfoContext(ctx, "pruned", "stream", t.res.Stream.String(), "job_id", t.res.JobID,
			"snapshot_id", t.res.SnapshotID, "removed", len(removed))
	}
}
