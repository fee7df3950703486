package clariwatch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
)

// ErrSuspiciousExport is matched with errors.Is by every
// *SuspiciousExportError.
var ErrSuspiciousExport = errors.New("clariwatch: suspicious export")

// SuspiciousExportError reports an export that lacks more than
// Config.MaxMissingOwners of the owners of the head snapshot, as a
// truncated or wrongly scoped export would. The tick stored the export as
// SnapshotID (unless it was a dry run) but did not make it the head and
// sent no alerts.
type SuspiciousExportError struct {
	Stream     snapshot.Key
	HeadID     string
	SnapshotID string
	// HeadOwners is the number of owners in the head snapshot, counted
	// once per time period; Missing is how many of them the export lacks.
	HeadOwners, Missing int
	// MaxShare is the configured limit.
	MaxShare float64
}

// Error names the counts, the snapshots and what to do.
func (e *SuspiciousExportError) Error() string {
	export := "the export"
	if e.SnapshotID != "" {
		export = "snapshot " + e.SnapshotID
	}
	return fmt.Sprintf("clariwatch: suspicious export for stream %s: %s lacks %d of the %d owners of head %s "+
		"(%.1f %%, limit %.1f %%); the head was not moved. Check the export's scope, or raise the limit if the owners really left",
		e.Stream, export, e.Missing, e.HeadOwners, e.HeadID,
		100*float64(e.Missing)/float64(e.HeadOwners), 100*e.MaxShare)
}

// Is reports whether target is ErrSuspiciousExport.
func (e *SuspiciousExportError) Is(target error) bool { return target == ErrSuspiciousExport }

// mayLackOwners reports whether a comparison with summary s may have
// found owners of the previous table that the current one lacks. Every
// key that only the previous table has counts as removed, below the
// threshold or in another period, so when those counts are all 0, every
// previous owner has all its keys in the current table.
func mayLackOwners(s diff.Summary) bool {
	return s.Removed > 0 || s.BelowThreshold > 0 || s.OtherPeriods > 0
}

// missingOwners counts the (period, owner) pairs of previous and how many
// of them current lacks. Both tables must be sorted by period and owner,
// as clari.Export.Rows and clari.ReadOwnerTable return them; the walk
// merges them in one pass, reading each row once.
func missingOwners(previous, current diff.Table) (owners, missing int) {
	n, m := previous.Len(), current.Len()
	var p, cur diff.Row
	if n > 0 {
		p = previous.Row(0)
	}
	if m > 0 {
		cur = current.Row(0)
	}
	j := 0
	for i := 0; i < n; {
		period, owner := p.Period, ownerKey(&p)
		// Skip the owner's other rows. p is then the next owner's first.
		for i++; i < n; i++ {
			p = previous.Row(i)
			if p.Period != period || ownerKey(&p) != owner {
				break
			}
		}
		owners++
		for j < m && compareOwner(&cur, period, owner) < 0 {
			if j++; j < m {
				cur = current.Row(j)
			}
		}
		if j >= m || compareOwner(&cur, period, owner) != 0 {
			missing++
		}
	}
	return owners, missing
}

// ownerKey is the owner part of a diff key: the owner id, else the email
// trimmed and lower-cased.
func ownerKey(r *diff.Row) string {
	if r.OwnerID != "" {
		return r.OwnerID
	}
	return strings.ToLower(strings.TrimSpace(r.Email))
}

// compareOwner orders row r against the owner key owner in period.
func compareOwner(r *diff.Row, period, owner string) int {
	if c := strings.Compare(r.Period, period); c != 0 {
		return c
	}
	return strings.Compare(ownerKey(r), owner)
}
