package diff

import "slices"

// report sorts the changes and builds the Report.
func (c *comparison) report() *Report {
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
		r := c.shownRow(e)
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
			amounts = append(amounts, c.previous[e.prev].Value)
			ch.Previous = &amounts[len(amounts)-1]
		}
		if e.cur >= 0 {
			amounts = append(amounts, c.current[e.cur].Value)
			ch.Current = &amounts[len(amounts)-1]
		}
		if e.hasPercent {
			percents = append(percents, percentOf(e.delta, e.absPrevious))
			ch.Percent = &percents[len(percents)-1]
		}
	}
	return &Report{
		Periods:         c.periods.current,
		PeriodChanged:   c.periods.changed,
		PreviousPeriods: c.periods.previous,
		Changes:         changes,
		Summary:         c.summary,
	}
}

// shownRow returns the row whose owner and field a change shows: the
// current row, or the previous row of a removed key.
func (c *comparison) shownRow(e *entry) *Row {
	if e.cur >= 0 {
		return &c.current[e.cur]
	}
	return &c.previous[e.prev]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
