package diff

import (
	"fmt"
	"math/bits"
	"strings"
)

// entry is a reported change with the exact magnitudes that order it.
type entry struct {
	change      Change
	email       string // sortEmail of the email, the first tie-breaker
	absDelta    uint64 // |Delta| in micros
	absPrevious uint64 // |Previous| in micros; 0 when there is no percent
	hasPercent  bool
}

// classifyPair judges a key that both tables have.
func (c *comparison) classifyPair(prev, cur *Row) error {
	c.summary.Compared++
	if prev.Value == cur.Value {
		c.summary.Unchanged++
		return nil
	}

	delta, err := cur.Value.Sub(prev.Value)
	if err != nil {
		return keyError(cur, err)
	}

	kind := KindChanged
	switch {
	case prev.Value.IsZero():
		kind = KindFromZero
	case cur.Value.IsZero():
		kind = KindToZero
	}
	dir := directionOf(delta, Increased)
	absDelta, absPrev := magnitude(delta.micros), magnitude(prev.Value.micros)
	l := c.rules.forField(cur.Field)
	pass := c.rules.allows(dir) && absDelta >= l.minChange &&
		(kind == KindFromZero || meetsPercent(absDelta, absPrev, l.percent))
	if !pass {
		c.summary.BelowThreshold++
		return nil
	}

	c.summary.Changed++
	e := c.newEntry(kind, cur, delta, dir)
	e.change.Previous = c.amounts.new(prev.Value)
	e.change.Current = c.amounts.new(cur.Value)
	if kind != KindFromZero {
		e.absPrevious = absPrev
		e.hasPercent = true
		e.change.Percent = c.percents.new(percentOf(delta.micros, absPrev))
	}
	return nil
}

// classifyAdded judges a key that only the current table has.
func (c *comparison) classifyAdded(cur *Row) {
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
	e := c.newEntry(KindAdded, cur, cur.Value, dir)
	e.change.Current = c.amounts.new(cur.Value)
}

// classifyRemoved judges a key that only the previous table has.
func (c *comparison) classifyRemoved(prev *Row) error {
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
	e := c.newEntry(KindRemoved, prev, delta, dir)
	e.change.Previous = c.amounts.new(prev.Value)
	return nil
}

// keyError wraps err with the key of r.
func keyError(r *Row, err error) error {
	return fmt.Errorf("diff: period %q, owner %q, field %q: %w", r.Period, ownerOf(r), r.Field, err)
}

// newEntry appends an entry for r and returns it to be completed.
func (c *comparison) newEntry(kind Kind, r *Row, delta Amount, dir Direction) *entry {
	c.entries = append(c.entries, entry{
		change: Change{
			Kind:      kind,
			Period:    r.Period,
			OwnerID:   r.OwnerID,
			Email:     r.Email,
			Name:      r.Name,
			Field:     r.Field,
			FieldName: r.FieldName,
			Delta:     delta,
			Direction: dir,
		},
		email:    sortEmail(r.Email),
		absDelta: magnitude(delta.micros),
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
// field, period and owner id, which together identify a key, so the
// order is total.
func compareEntries(a, b *entry) int {
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
	if n := compareSortEmails(a.email, b.email); n != 0 {
		return n
	}
	if n := strings.Compare(a.change.Field, b.change.Field); n != 0 {
		return n
	}
	if n := strings.Compare(a.change.Period, b.change.Period); n != 0 {
		return n
	}
	return strings.Compare(a.change.OwnerID, b.change.OwnerID)
}
