package clariwatch

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// Result describes one tick. Its JSON form, written by MarshalJSON, puts
// the report's changes and summary at the top level.
type Result struct {
	// Stream is the key of the stream the export belongs to.
	Stream snapshot.Key
	// Baseline is true for the first export of a stream, and for the
	// first export after a head without values: it is stored and becomes
	// the head, and nothing is compared or sent.
	Baseline bool
	// DryRun is true when the tick wrote nothing and sent nothing.
	DryRun bool
	// SnapshotID is the id of the stored snapshot; empty in a dry run.
	SnapshotID string
	// HeadID is the id of the head the export was compared with; empty
	// for a baseline.
	HeadID string
	// JobID is the Clari export job; empty for files.
	JobID string
	// Unchanged is true when the export is byte for byte the head's, so
	// no comparison ran.
	Unchanged bool
	// Notified is true when the alerts were sent to the notifier.
	Notified bool
	// Advanced is true when the head moved to SnapshotID.
	Advanced bool
	// Pruned lists the snapshots that retention removed after the head
	// moved.
	Pruned []string
	// Report is the comparison; for a baseline, an empty report of the
	// export's periods.
	Report *diff.Report
	// Message is the rendered alert, also for a baseline or a report
	// without changes; it is sent only when Notified is true.
	Message *notify.Message
}

// resultJSON is the JSON form of a Result, without the changes and the
// summary, which MarshalJSON appends. Its keys are camelCase, like those
// of the diff.Change objects.
type resultJSON struct {
	Stream        streamJSON `json:"stream"`
	Baseline      bool       `json:"baseline"`
	DryRun        bool       `json:"dryRun"`
	SnapshotID    string     `json:"snapshotId,omitempty"`
	HeadID        string     `json:"headId,omitempty"`
	JobID         string     `json:"jobId,omitempty"`
	Unchanged     bool       `json:"unchanged"`
	Notified      bool       `json:"notified"`
	Advanced      bool       `json:"advanced"`
	Pruned        []string   `json:"pruned,omitempty"`
	Periods       []string   `json:"periods"`
	PeriodChanged bool       `json:"periodChanged"`
}

// streamJSON is the JSON form of a stream key.
type streamJSON struct {
	ForecastID string `json:"forecastId"`
	Period     string `json:"period"`
	Scope      string `json:"scope"`
	Currency   string `json:"currency"`
	Types      string `json:"types,omitempty"`
}

// MarshalJSON encodes r as one object with the keys stream (forecastId,
// period, scope, currency, types), baseline, dryRun, snapshotId, headId,
// jobId, unchanged, notified, advanced, pruned, periods, periodChanged,
// changes (the diff.Change objects, [] when none) and summary (the
// diff.Summary). The output is compact.
func (r *Result) MarshalJSON() ([]byte, error) {
	p, err := r.jsonParts()
	if err != nil {
		return nil, err
	}
	// A change of a per-owner export takes about 270 bytes. Sizing the
	// buffer above that avoids copying a large result as it grows.
	b := make([]byte, 0, len(p.head)+len(p.tail)+320*len(p.changes))
	b = append(b, p.head...)
	b = appendChanges(b, p.changes)
	return append(b, p.tail...), nil
}

// WriteJSON writes the JSON form of r, the bytes that MarshalJSON
// returns, to w in parts of about 1 MB. It encodes the next part while w
// takes the last one, so a large report costs about the slower of the
// two instead of their sum. It holds at most two parts of the changes at
// a time, and it writes nothing when r cannot be encoded.
func (r *Result) WriteJSON(w io.Writer) error {
	p, err := r.jsonParts()
	if err != nil {
		return err
	}
	if err := writeAll(w, p.head); err != nil {
		return err
	}
	if err := writeChanges(w, p.changes); err != nil {
		return err
	}
	return writeAll(w, p.tail)
}

// jsonParts is the JSON form of a Result in three parts: head, the
// object up to the opening bracket of the changes, the changes, and
// tail, from the closing bracket to the end.
type jsonParts struct {
	head, tail []byte
	changes    []diff.Change
}

// jsonParts encodes all of r but its changes, and checks that JSON can
// encode the changes.
func (r *Result) jsonParts() (jsonParts, error) {
	out := resultJSON{
		Stream: streamJSON{
			ForecastID: r.Stream.ForecastID, Period: r.Stream.TimePeriod, Scope: r.Stream.Scope,
			Currency: r.Stream.Currency, Types: r.Stream.Types,
		},
		Baseline: r.Baseline, DryRun: r.DryRun, Pruned: r.Pruned,
		SnapshotID: r.SnapshotID, HeadID: r.HeadID, JobID: r.JobID,
		Unchanged: r.Unchanged, Notified: r.Notified, Advanced: r.Advanced,
		Periods: []string{},
	}
	var changes []diff.Change
	var summary diff.Summary
	if r.Report != nil {
		out.PeriodChanged = r.Report.PeriodChanged
		summary = r.Report.Summary
		changes = r.Report.Changes
		if r.Report.Periods != nil {
			out.Periods = r.Report.Periods
		}
	}
	for i := range changes {
		if p := changes[i].Percent; p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
			return jsonParts{}, fmt.Errorf("clariwatch: change %d of the result has percent %v, which JSON cannot encode", i, *p)
		}
	}
	head, err := json.Marshal(out)
	if err != nil {
		return jsonParts{}, err
	}
	tail, err := json.Marshal(summary)
	if err != nil {
		return jsonParts{}, err
	}
	// The changes are appended directly, because json.Marshal's
	// reflection took most of the time for 50,000 changes.
	head = append(head[:len(head)-1], `,"changes":[`...)
	tail = append(append([]byte(`],"summary":`), tail...), '}')
	return jsonParts{head: head, tail: tail, changes: changes}, nil
}

// appendChanges appends the changes separated by commas.
func appendChanges(b []byte, changes []diff.Change) []byte {
	for i := range changes {
		if i > 0 {
			b = append(b, ',')
		}
		b = changes[i].AppendJSON(b)
	}
	return b
}

// changesPerPart is the number of changes in one part of WriteJSON,
// about 1 MB for the changes of a per-owner export.
const changesPerPart = 4096

// writeChanges writes the changes separated by commas to w. A goroutine
// encodes the parts into two buffers in turn while w takes the other.
func writeChanges(w io.Writer, changes []diff.Change) error {
	if len(changes) <= changesPerPart {
		return writeAll(w, appendChanges(nil, changes))
	}

	parts := make(chan []byte)
	free := make(chan []byte, 2)
	free <- nil
	free <- nil
	stop := make(chan struct{})
	var encoder sync.WaitGroup
	encoder.Go(func() { encodeParts(changes, free, parts, stop) })
	// The encoder stops and has ended on every return, also when w fails
	// or panics.
	defer func() {
		close(stop)
		for range parts {
		}
		encoder.Wait()
	}()

	for b := range parts {
		if err := writeAll(w, b); err != nil {
			return err
		}
		free <- b
	}
	return nil
}

// encodeParts encodes the changes, changesPerPart at a time, into the
// buffers it takes from free, and sends each to parts. It closes parts
// when it is done or stop is closed.
func encodeParts(changes []diff.Change, free <-chan []byte, parts chan<- []byte, stop <-chan struct{}) {
	defer close(parts)
	for start := 0; start < len(changes); start += changesPerPart {
		var b []byte
		select {
		case b = <-free:
		case <-stop:
			return
		}

		b = b[:0]
		if start > 0 {
			b = append(b, ',')
		}
		b = appendChanges(b, changes[start:min(start+changesPerPart, len(changes))])

		select {
		case parts <- b:
		case <-stop:
			return
		}
	}
}

// writeAll writes b to w and returns io.ErrShortWrite when w takes less
// of b without an error, as io.Copy does.
func writeAll(w io.Writer, b []byte) error {
	n, err := w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}
