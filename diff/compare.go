package diff

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// rowKey identifies a row within a table. byID keeps owner ids and
// normalised emails apart, so an id never matches an email by accident.
type rowKey struct {
	period, owner, field string
	byID                 bool
}

// keyOf returns the key of r: the owner is OwnerID when it is set, else
// Email trimmed and lower-cased.
func keyOf(r *Row) rowKey {
	if r.OwnerID != "" {
		return rowKey{period: r.Period, owner: r.OwnerID, field: r.Field, byID: true}
	}
	return rowKey{period: r.Period, owner: normalEmail(r.Email), field: r.Field}
}

// normalEmail trims and lower-cases an email. strings.ToLower returns its
// argument without copying when nothing changes, the common case.
func normalEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// comparison is the state of one Compute call.
type comparison struct {
	previous, current []Row
	rules             rules
	periods           periodFilter

	// index maps a key to its row: i >= 0 is previous[i], i < 0 is
	// current[-i-1], a key only the current table has.
	index   map[rowKey]int32
	matched []bool // matched[i] is true once previous[i] met its current row

	summary   Summary
	entries   []entry
	amounts   slab[Amount]
	percents  slab[float64]
	duplicate duplicateCounter
}

// maxRows is the largest table Compute accepts, because rows are indexed
// with int32 to halve the index's memory.
const maxRows = math.MaxInt32 - 1

func newComparison(previous, current []Row, r rules) *comparison {
	return &comparison{
		previous: previous,
		current:  current,
		rules:    r,
		periods:  newPeriodFilter(previous, current),
		index:    make(map[rowKey]int32, max(len(previous), len(current))),
		matched:  make([]bool, len(previous)),
	}
}

// indexPrevious adds every previous row to the index and returns a
// *DuplicateKeyError when two rows share a key.
func (c *comparison) indexPrevious() error {
	for i := range c.previous {
		k := keyOf(&c.previous[i])
		n := len(c.index)
		c.index[k] = int32(i)
		if len(c.index) == n {
			c.duplicate.add(k)
		}
	}
	return c.duplicate.err("previous")
}

// matchCurrent looks up every current row and classifies it, as a change
// of a previous row or as added.
func (c *comparison) matchCurrent() error {
	for j := range c.current {
		r := &c.current[j]
		k := keyOf(r)
		i, ok := c.index[k]
		switch {
		case !ok:
			c.index[k] = int32(-j - 1)
			c.classifyAdded(r, k)
		case i < 0 || c.matched[i]:
			c.duplicate.add(k)
		default:
			c.matched[i] = true
			if err := c.classifyPair(&c.previous[i], r, k); err != nil {
				return err
			}
		}
	}
	return c.duplicate.err("current")
}

// sweepRemoved classifies the previous rows that no current row matched.
func (c *comparison) sweepRemoved() error {
	for i, ok := range c.matched {
		if ok {
			continue
		}
		if err := c.classifyRemoved(&c.previous[i]); err != nil {
			return err
		}
	}
	return nil
}

// report sorts the changes and builds the Report.
func (c *comparison) report() *Report {
	// Sort positions rather than the entries, which are large to swap.
	order := make([]int32, len(c.entries))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return compareEntries(&c.entries[a], &c.entries[b])
	})
	changes := make([]Change, len(order))
	for i, at := range order {
		changes[i] = c.entries[at].change
	}
	return &Report{
		Periods:         c.periods.current,
		PeriodChanged:   c.periods.changed,
		PreviousPeriods: c.periods.previous,
		Changes:         changes,
		Summary:         c.summary,
	}
}

// checkSize rejects tables too large to index.
func checkSize(previous, current []Row) error {
	for _, t := range []struct {
		name string
		n    int
	}{{"previous", len(previous)}, {"current", len(current)}} {
		if t.n > maxRows {
			return fmt.Errorf("diff: the %s table has %d rows, more than the %d a comparison takes; split it by period",
				t.name, t.n, maxRows)
		}
	}
	return nil
}

// slab hands out pointers to values stored in shared chunks, so that a
// report with n changes makes O(log n) allocations for its pointer
// fields, not 3n.
type slab[T any] struct {
	chunk []T
}

func (s *slab[T]) new(v T) *T {
	if len(s.chunk) == cap(s.chunk) {
		s.chunk = make([]T, 0, max(64, 2*cap(s.chunk)))
	}
	s.chunk = append(s.chunk, v)
	return &s.chunk[len(s.chunk)-1]
}
