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
	for _, p := range r.Periods {
		n += len(p)
	}
	for _, p := range r.PreviousPeriods {
		n += len(p)
	}
	for k := range r.Changes {
		ch := &r.Changes[k]
		n += len(ch.Period) + len(ch.OwnerID) + len(ch.Email) + len(ch.Name) + len(ch.Field) + len(ch.FieldName)
	}

	var b strings.Builder
	b.Grow(n)
	all := func(ss ...*string) {
		for _, s := range ss {
			b.WriteString(*s)
		}
	}
	for k := range r.Periods {
		all(&r.Periods[k])
	}
	for k := range r.PreviousPeriods {
		all(&r.PreviousPeriods[k])
	}
	for k := range r.Changes {
		ch := &r.Changes[k]
		all(&ch.Period, &ch.OwnerID, &ch.Email, &ch.Name, &ch.Field, &ch.FieldName)
	}

	text, pos := b.String(), 0
	take := func(ss ...*string) {
		for _, s := range ss {
			*s = text[pos : pos+len(*s)]
			pos += len(*s)
		}
	}

	r.Periods = slices.Clone(r.Periods)
	r.PreviousPeriods = slices.Clone(r.PreviousPeriods)
	for k := range r.Periods {
		take(&r.Periods[k])
	}
	for k := range r.PreviousPeriods {
		take(&r.PreviousPeriods[k])
	}
	for k := range r.Changes {
		ch := &r.Changes[k]
		take(&ch.Period, &ch.OwnerID, &ch.Email, &ch.Name, &ch.Field, &ch.FieldName)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
