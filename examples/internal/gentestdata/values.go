package main

import "time"

// fillRep draws the weekly values of rep i. Each field keeps its value from
// firstLatestWeek on, except where a planted move changes it, so that the
// exports differ only by the planted moves.
func (ds *dataset) fillRep(i int, r *person) {
	start := ds.repValues()
	for _, mv := range moves {
		if mv.rep == i {
			start[mv.field] = mv.previous
		}
	}
	for _, f := range fields {
		values := ds.history(start[f.id], f.id == "closed")
		for _, mv := range moves {
			if mv.rep != i || mv.field != f.id {
				continue
			}
			for w := firstLatestWeek + mv.pair; w < weekCount; w++ {
				values[w] = mv.current
			}
		}
		r.cells[f.id] = ds.cells(values, r)
	}
}

// repValues draws a rep's values for firstLatestWeek, in cents, such that
// closed <= commit <= best case <= pipeline. Planted moves then replace
// some of them, which may break that order.
func (ds *dataset) repValues() map[string]int64 {
	pipeline := 30_000_000 + ds.rng.Int64N(120_000_000)
	bestCase := pipeline*(40+ds.rng.Int64N(31))/100 + ds.rng.Int64N(100)
	commit := bestCase*(50+ds.rng.Int64N(31))/100 + ds.rng.Int64N(100)
	closed := commit*(10+ds.rng.Int64N(41))/100 + ds.rng.Int64N(100)
	return map[string]int64{
		"commit":    commit,
		"best_case": bestCase,
		"pipeline":  pipeline,
		"closed":    closed,
	}
}

// history returns weekly values that end at last in firstLatestWeek and
// keep it afterwards. The earlier weeks move now and then, and closed values
// only grow over the quarter.
func (ds *dataset) history(last int64, growing bool) [weekCount]int64 {
	var values [weekCount]int64
	for w := firstLatestWeek; w < weekCount; w++ {
		values[w] = last
	}
	for w := firstLatestWeek - 1; w >= 0; w-- {
		values[w] = values[w+1]
		if ds.rng.IntN(10) >= 3 {
			continue
		}
		if growing {
			values[w] = values[w+1] * (60 + ds.rng.Int64N(41)) / 100
		} else {
			values[w] = values[w+1] * (85 + ds.rng.Int64N(26)) / 100
		}
	}
	return values
}

// cells turns weekly values into cells. A cell is marked updated in the
// week its value first appears or changes, by the user or now and then by
// their manager, at a time inside that week.
func (ds *dataset) cells(values [weekCount]int64, p *person) *[weekCount]cell {
	var cs [weekCount]cell
	for w, v := range values {
		cs[w].value = v
		changed := (w == 0 && v != 0) || (w > 0 && v != values[w-1])
		if !changed {
			continue
		}
		cs[w].updated = true
		cs[w].updatedBy = p
		if p.manager != nil && ds.rng.IntN(100) < 15 {
			cs[w].updatedBy = p.manager
		}
		// Updates land between 08:00 on the first day of the week and
		// 08:00 on its fifth day, inside the week on every week length.
		offset := 8*time.Hour + time.Duration(ds.rng.Int64N(int64(4*24*time.Hour/time.Millisecond)))*time.Millisecond
		cs[w].updatedOn = weekStart(w).Add(offset).UnixMilli()
	}
	return &cs
}

// fillManager gives a manager or the VP one call per field, rounded down to
// whole thousands of dollars, entered in week 0 and kept all quarter.
func (ds *dataset) fillManager(m *person, totals map[string]int64) {
	for _, f := range fields {
		var values [weekCount]int64
		for w := range values {
			values[w] = totals[f.id] / 100_000 * 100_000
		}
		m.cells[f.id] = ds.cells(values, m)
	}
}

// teamTotals sums the firstLatestWeek values of the reps under m who are
// in export-1.
func (ds *dataset) teamTotals(m *person) map[string]int64 {
	totals := make(map[string]int64)
	for _, r := range ds.reps {
		if r.parent != m || r.firstExport != 1 {
			continue
		}
		for _, f := range fields {
			totals[f.id] += r.cells[f.id][firstLatestWeek].value
		}
	}
	return totals
}

// vpTotals sums the managers' calls.
func (ds *dataset) vpTotals() map[string]int64 {
	totals := make(map[string]int64)
	for _, m := range ds.managers {
		for _, f := range fields {
			totals[f.id] += m.cells[f.id][0].value
		}
	}
	return totals
}

// weekStart returns the first day of week w, in UTC.
func weekStart(w int) time.Time {
	return periodStart.AddDate(0, 0, 7*w)
}

// weekEnd returns the last day of week w. The last week runs to the end of
// the quarter, so it has eight days.
func weekEnd(w int) time.Time {
	if w == weekCount-1 {
		return periodStart.AddDate(0, 3, -1)
	}
	return weekStart(w).AddDate(0, 0, 6)
}
