package diff

import "slices"

// periodFilter decides which time periods a comparison covers.
//
// Only periods that both tables have are compared. A key in a period that
// only one table has is neither added nor removed: it counts in
// Summary.OtherPeriods. When one table is empty, every period of the
// other one is compared, so that all its keys are added or removed.
type periodFilter struct {
	previous, current []string // sorted, distinct
	changed           bool     // both tables have rows, in no common period
	all               bool     // every period is compared

	shared     map[string]struct{}
	last       string
	lastShared bool
	haveLast   bool
}

func newPeriodFilter(previous, current Table) periodFilter {
	f := periodFilter{
		previous: distinctPeriods(previous),
		current:  distinctPeriods(current),
		all:      previous.Len() == 0 || current.Len() == 0,
	}
	if f.all {
		return f
	}
	f.shared = make(map[string]struct{})
	for _, p := range f.current {
		if _, ok := slices.BinarySearch(f.previous, p); ok {
			f.shared[p] = struct{}{}
		}
	}
	f.changed = len(f.shared) == 0
	return f
}

// compares reports whether rows of period p are compared. It caches the
// last result because a table usually holds one period.
func (f *periodFilter) compares(p string) bool {
	if f.all {
		return true
	}
	if f.haveLast && p == f.last {
		return f.lastShared
	}
	_, ok := f.shared[p]
	f.last, f.lastShared, f.haveLast = p, ok, true
	return ok
}

// distinctPeriods returns the sorted distinct periods of the rows of t,
// never nil.
func distinctPeriods(t Table) []string {
	seen := make(map[string]struct{})
	last, haveLast := "", false
	add := func(p string) {
		if haveLast && p == last {
			return
		}
		seen[p] = struct{}{}
		last, haveLast = p, true
	}
	if rows, ok := t.(Rows); ok {
		for i := range rows {
			add(rows[i].Period)
		}
	} else {
		for i := range t.Len() {
			add(t.Row(i).Period)
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
