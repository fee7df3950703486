package diff

import (
	"slices"
	"strings"
)

// report sorts the changes and builds the Report.
func (c *comparison) report() *Report {
	// The row that each change shows is read once, for sorting and for
	// the Change.
	c.shown = make([]Row, len(c.entries))
	for k := range c.entries {
		e := &c.entries[k]
		e.shown = int32(k)
		if e.cur >= 0 {
			fillRow(c.curTable, int(e.cur), &c.shown[k])
		} else {
			fillRow(c.prevTable, int(e.prev), &c.shown[k])
		}
	}
	slices.SortFunc(c.entries, func(a, b entry) int {
		return c.compareEntries(&a, &b)
	})
	// The pointer fields of the changes point into two arrays sized
	// once, so that n changes cost a fixed number of allocations.
	var nAmounts, nPercents int
	for k := range c.entries {
		e := &c.entries[k]
		nAmounts += boolInt(e.prev >= 0) + boolInt(e.cur >= 0)
		nPercents += boolInt(e.hasPercent)
	}
	amounts := make([]Amount, 0, nAmounts)
	percents := make([]float64, 0, nPercents)
	changes := make([]Change, len(c.entries))
	for k := range c.entries {
		e := &c.entries[k]
		r := &c.shown[e.shown]
		ch := &changes[k]
		*ch = Change{
			Kind:      kinds[e.kind],
			Period:    r.Period,
			OwnerID:   r.OwnerID,
			Email:     r.Email,
			Name:      r.Name,
			Field:     r.Field,
			FieldName: r.FieldName,
			Delta:     Amount{micros: e.delta},
			Direction: Increased,
		}
		if e.decreased {
			ch.Direction = Decreased
		}
		if e.prev >= 0 {
			prev := r.Value
			if e.cur >= 0 {
				prev = Amount{micros: e.previous}
			}
			amounts = append(amounts, prev)
			ch.Previous = &amounts[len(amounts)-1]
		}
		if e.cur >= 0 {
			amounts = append(amounts, r.Value)
			ch.Current = &amounts[len(amounts)-1]
		}
		if e.hasPercent {
			percents = append(percents, percentOf(e.delta, e.absPrevious))
			ch.Percent = &percents[len(percents)-1]
		}
	}
	rep := &Report{
		Periods:         c.periods.current,
		PeriodChanged:   c.periods.changed,
		PreviousPeriods: c.periods.previous,
		Changes:         changes,
		Summary:         c.summary,
	}
	if c.copyStrings {
		copyReportStrings(rep)
	}
	return rep
}

// copyReportStrings replaces the strings of r that came from the rows by
// copies, all in one new string.
func copyReportStrings(r *Report) {
	n := 0
	eachReportString(r, func(s *string) { n += len(*s) })

	var b strings.Builder
	b.Grow(n)
	eachReportString(r, func(s *string) { b.WriteString(*s) })

	// The period slices may be shared with the comparison, so the copies
	// go into new ones.
	r.Periods = slices.Clone(r.Periods)
	r.PreviousPeriods = slices.Clone(r.PreviousPeriods)
	text, pos := b.String(), 0
	eachReportString(r, func(s *string) {
		*s = text[pos : pos+len(*s)]
		pos += len(*s)
	})
}

// eachReportString calls fn with a pointer to each string of r that
// came from the rows, always in the same order.
func eachReportString(r *Report, fn func(*string)) {
	for k := range r.Periods {
		fn(&r.Periods[k])
	}
	for k := range r.PreviousPeriods {
		fn(&r.PreviousPeriods[k])
	}
	for k := range r.Changes {
		ch := &r.Changes[k]
		for _, s := range []*string{&ch.Period, &ch.OwnerID, &ch.Email, &ch.Name, &ch.Field, &ch.FieldName} {
			fn(s)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
