package diff

import (
	"fmt"
	"math/bits"
	"strings"
)

// entry is a reported change. It holds row indexes and exact magnitudes
// but no pointers, so that the garbage collector need not scan the
// entries and growing them copies little. report builds the Change
// values once the entries are sorted.
type entry struct {
	absDelta    uint64 // |Delta| in micros
	absPrevious uint64 // |Previous| in micros; 0 when there is no percent
	delta       int64  // Delta in micros
	previous    int64  // the previous value in micros, for a key of both tables
	prev, cur   int32  // row indexes in the previous and current tables; -1 for none
	shown       int32  // index in comparison.shown of the row that the change displays
	kind        kindCode
	decreased   bool // the Direction is Decreased
	hasPercent  bool
}

// kindCode is a Kind stored in one byte: the index into kinds.
type kindCode uint8

var kinds = [...]Kind{KindChanged, KindFromZero, KindToZero, KindAdded, KindRemoved}

const (
	codeChanged kindCode = iota
	codeFromZero
	codeToZero
	codeAdded
	codeRemoved
)

// classifyPair judges a key that both tables have: prev, previous row i,
// and cur, current row j.
func (c *comparison) classifyPair(prev, cur *Row, i, j int) error {
	c.summary.Compared++
	if prev.Value == cur.Value {
		c.summary.Unchanged++
		return nil
	}

	delta, err := cur.Value.Sub(prev.Value)
	if err != nil {
		return keyError(cur, err)
	}

	kind := codeChanged
	switch {
	case prev.Value.IsZero():
		kind = codeFromZero
	case cur.Value.IsZero():
		kind = codeToZero
	}
	dir := directionOf(delta, Increased)
	absDelta, absPrev := magnitude(delta.micros), magnitude(prev.Value.micros)
	l := c.rules.forField(cur.Field)
	pass := c.rules.allows(dir) && absDelta >= l.minChange &&
		(kind == codeFromZero || meetsPercent(absDelta, absPrev, l.percent))
	if !pass {
		c.summary.BelowThreshold++
		return nil
	}

	c.summary.Changed++
	e := c.newEntry(kind, i, j, delta, dir)
	e.previous = prev.Value.micros
	if kind != codeFromZero {
		e.absPrevious = absPrev
		e.hasPercent = true
	}
	return nil
}

// classifyAdded judges a key that only the current table has: cur, row j.
func (c *comparison) classifyAdded(cur *Row, j int) {
	if !c.periods.compares(cur.Period) {
		c.summary.OtherPeriods++
		return
	}
	dir := directionOf(cur.Value, Increased)
	l := c.rules.forField(cur.Field)
	if !c.rules.allows(dir) || magnitude(cur.Value.micros) < l.minChange {
		c.summary.BelowThreshold++
		return
	}
	c.summary.Added++
	c.newEntry(codeAdded, -1, j, cur.Value, dir)
}

// classifyRemoved judges a key that only the previous table has: prev,
// row i.
func (c *comparison) classifyRemoved(prev *Row, i int) error {
	if !c.periods.compares(prev.Period) {
		c.summary.OtherPeriods++
		return nil
	}
	delta, err := Amount{}.Sub(prev.Value)
	if err != nil {
		return keyError(prev, err)
	}
	dir := directionOf(delta, Decreased)
	l := c.rules.forField(prev.Field)
	if !c.rules.allows(dir) || magnitude(delta.micros) < l.minChange {
		c.summary.BelowThreshold++
		return nil
	}
	c.summary.Removed++
	c.newEntry(codeRemoved, i, -1, delta, dir)
	return nil
}

// keyError wraps err with the key of r.
func keyError(r *Row, err error) error {
	return fmt.Errorf("diff: period %q, owner %q, field %q: %w", r.Period, ownerOf(r), r.Field, err)
}

// newEntry appends an entry for previous row i and current row j, either
// of them -1 when missing, and returns it to be completed.
func (c *comparison) newEntry(kind kindCode, i, j int, delta Amount, dir Direction) *entry {
	c.entries = append(c.entries, entry{
		absDelta:  magnitude(delta.micros),
		delta:     delta.micros,
		prev:      int32(i),
		cur:       int32(j),
		kind:      kind,
		decreased: dir == Decreased,
	})
	return &c.entries[len(c.entries)-1]
}

// directionOf returns the direction of delta, or zero for a delta of 0
// (an added or removed value of 0).
func directionOf(delta Amount, zero Direction) Direction {
	switch delta.Sign() {
	case 1:
		return Increased
	case -1:
		return Decreased
	}
	return zero
}

// percentOf returns delta in percent of absPrevious, for display only.
// Multiplying first keeps the result exact whenever delta × 100 fits in
// 53 bits, so that 1234.5 to 1357.95 prints as 10, not 10.000000000000002.
func percentOf(delta int64, absPrevious uint64) float64 {
	return float64(delta) * 100 / float64(absPrevious)
}

// compareEntries orders changes: those without a percent first, by
// |Delta| descending, then the others by |Percent| descending, compared
// exactly as |d1| × |p2| against |d2| × |p1|. Ties go by normalised email,
// field, period and owner id of the row each change shows, which
// together identify a key, so the order is total.
func (c *comparison) compareEntries(a, b *entry) int {
	if a.hasPercent != b.hasPercent {
		if !a.hasPercent {
			return -1
		}
		return 1
	}
	var byMagnitude int
	if a.hasPercent {
		aHi, aLo := bits.Mul64(a.absDelta, b.absPrevious)
		bHi, bLo := bits.Mul64(b.absDelta, a.absPrevious)
		byMagnitude = cmp128(bHi, bLo, aHi, aLo)
	} else {
		byMagnitude = cmp128(0, b.absDelta, 0, a.absDelta)
	}
	if byMagnitude != 0 {
		return byMagnitude
	}
	ra, rb := &c.shown[a.shown], &c.shown[b.shown]
	if n := compareOwnerEmails(ra.Email, rb.Email); n != 0 {
		return n
	}
	if n := strings.Compare(ra.Field, rb.Field); n != 0 {
		return n
	}
	if n := strings.Compare(ra.Period, rb.Period); n != 0 {
		return n
	}
	return strings.Compare(ra.OwnerID, rb.OwnerID)
}
