package snapshot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// maxSourceJobIDLen bounds Meta.SourceJobID, so that the metadata stays
// far below the size that a FileStore reads back.
const maxSourceJobIDLen = 1024

// checkCall returns ctx.Err() or the key's validation error.
func checkCall(ctx context.Context, k Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return k.Validate()
}

// prepareMeta checks the caller's Meta and fills in ID and TakenAt.
func prepareMeta(m Meta, now func() time.Time) (Meta, error) {
	if err := m.Key.Validate(); err != nil {
		return Meta{}, err
	}
	if m.TakenAt.IsZero() {
		m.TakenAt = now()
	}
	m.TakenAt = m.TakenAt.UTC()
	if m.ID == "" {
		m.ID = NewID(m.TakenAt)
	}
	if err := ValidateID(m.ID); err != nil {
		return Meta{}, err
	}
	if m.ParentID != "" {
		if err := ValidateID(m.ParentID); err != nil {
			return Meta{}, fmt.Errorf("snapshot: ParentID: %w", err)
		}
	}
	if len(m.SourceJobID) > maxSourceJobIDLen || !utf8.ValidString(m.SourceJobID) {
		return Meta{}, fmt.Errorf("snapshot: SourceJobID of %q is %d bytes; it must be valid UTF-8 of at most %d bytes",
			m.ID, len(m.SourceJobID), maxSourceJobIDLen)
	}
	if m.RowCount < 0 {
		return Meta{}, fmt.Errorf("snapshot: RowCount of %q is %d; it must not be negative", m.ID, m.RowCount)
	}
	return m, nil
}

// validatePendingJobID rejects a job id that a FileStore could not store
// in its one-line PENDING file and read back unchanged.
func validatePendingJobID(jobID string) error {
	if strings.ContainsAny(jobID, "\r\n") || strings.TrimSpace(jobID) != jobID {
		return fmt.Errorf("snapshot: job id %q has surrounding spaces or a line break", jobID)
	}
	return nil
}

// completeMeta sets the digest and size of the body, after checking them
// against the values the caller set, if any.
func completeMeta(m Meta, sum string, size int64) (Meta, error) {
	if m.SHA256 != "" && !strings.EqualFold(m.SHA256, sum) {
		return Meta{}, &CorruptError{ID: m.ID,
			Reason: fmt.Sprintf("body has SHA-256 %s, but Meta.SHA256 is %s", sum, m.SHA256)}
	}
	if m.Size != 0 && m.Size != size {
		return Meta{}, &CorruptError{ID: m.ID,
			Reason: fmt.Sprintf("body has %d bytes, but Meta.Size is %d", size, m.Size)}
	}
	m.SHA256 = sum
	m.Size = size
	return m, nil
}

// sortNewestFirst orders by TakenAt, then ID, both descending.
func sortNewestFirst(metas []Meta) {
	slices.SortFunc(metas, func(a, b Meta) int {
		if c := b.TakenAt.Compare(a.TakenAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

func (r Retention) validate() error {
	if r.KeepLast < 1 {
		return fmt.Errorf("snapshot: Retention.KeepLast is %d; it must be at least 1", r.KeepLast)
	}
	return nil
}

// pruneCandidates returns the ids in metas, sorted newest first, that r
// does not keep, never head or parent.
func pruneCandidates(metas []Meta, r Retention, head, parent string) []string {
	doomed := []string{}
	for i, m := range metas {
		if i < r.KeepLast || m.ID == head || m.ID == parent {
			continue
		}
		doomed = append(doomed, m.ID)
	}
	return doomed
}
