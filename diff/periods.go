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

// newPeriodFilter returns the filter for tables of prevLen and curLen
// rows whose sorted distinct periods are previous and current.
func newPeriodFilter(previous, current []string, prevLen, curLen int) periodFilter {
	f := periodFilter{
		previous: previous,
		current:  current,
		all:      prevLen == 0 || curLen == 0,
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

// sortedPeriods returns the distinct periods of t, never nil, when t is
// sorted by period. It finds the end of each period's rows by a
// galloping search, so it reads O(p log n) rows for p periods, not n.
// For a table that is not sorted the result is wrong, so the caller must
// check the order before trusting it.
func sortedPeriods(t Table) []string {
	n := t.Len()
	out := []string{}
	for i := 0; i < n; {
		p := t.Row(i).Period
		out = append(out, p)
		// The rows from lo on have period p, up to somewhere before hi.
		lo, hi, step := i, i+1, 1
		for hi < n && t.Row(hi).Period == p {
			lo, step = hi, step*2
			hi = min(lo+step, n)
			if hi == n && t.Row(n-1).Period == p {
				lo = n - 1
				break
			}
		}
		for lo+1 < hi {
			mid := int(uint(lo+hi) / 2)
			if t.Row(mid).Period == p {
				lo = mid
			} else {
				hi = mid
			}
		}
		i = lo + 1
	}
	return out
}
