package clariwatch

import (
	"encoding/json"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// Result describes one tick. Its JSON form, written by MarshalJSON, puts
// the report's changes and summary at the top level.
type Result struct {
	// Stream is the key of the stream the export belongs to.
	Stream snapshot.Key
	// Baseline is true for the first export of a stream: it is stored
	// and becomes the head, and nothing is compared or sent.
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
	// Report is the comparison; for a baseline, an empty report of the
	// export's periods.
	Report *diff.Report
	// Message is the rendered alert, also for a baseline or a report
	// without changes; it is sent only when Notified is true.
	Message *notify.Message
}

// resultJSON is the JSON form of a Result.
type resultJSON struct {
	Stream        snapshot.Key  `json:"stream"`
	Baseline      bool          `json:"baseline"`
	DryRun        bool          `json:"dry_run"`
	SnapshotID    string        `json:"snapshot_id,omitempty"`
	HeadID        string        `json:"head_id,omitempty"`
	JobID         string        `json:"job_id,omitempty"`
	Unchanged     bool          `json:"unchanged"`
	Notified      bool          `json:"notified"`
	Advanced      bool          `json:"advanced"`
	Periods       []string      `json:"periods"`
	PeriodChanged bool          `json:"period_changed"`
	Changes       []diff.Change `json:"changes"`
	Summary       diff.Summary  `json:"summary"`
}

// MarshalJSON encodes r as one object with the keys stream, baseline,
// dry_run, snapshot_id, head_id, job_id, unchanged, notified, advanced,
// periods, period_changed, changes (the diff.Change objects, [] when none)
// and summary (the diff.Summary).
func (r *Result) MarshalJSON() ([]byte, error) {
	out := resultJSON{
		Stream: r.Stream, Baseline: r.Baseline, DryRun: r.DryRun,
		SnapshotID: r.SnapshotID, HeadID: r.HeadID, JobID: r.JobID,
		Unchanged: r.Unchanged, Notified: r.Notified, Advanced: r.Advanced,
		Periods: []string{}, Changes: []diff.Change{},
	}
	if r.Report != nil {
		out.PeriodChanged = r.Report.PeriodChanged
		out.Summary = r.Report.Summary
		if r.Report.Periods != nil {
			out.Periods = r.Report.Periods
		}
		if r.Report.Changes != nil {
			out.Changes = r.Report.Changes
		}
	}
	return json.Marshal(out)
}
