// Package diff compares two tables of forecast values and reports the moves
// that matter.
package diff

// Row is one value of a table: the amount of one field, for one owner, in
// one time period.
//
// The key of a row is (Period, owner key, Field). The owner key is OwnerID
// when it is set, else Email trimmed and lower-cased. Email and Name keep the
// original spelling for display.
type Row struct {
	Period    string
	OwnerID   string
	Email     string
	Name      string
	Field     string
	FieldName string
	Value     Amount
}

// Kind is the kind of a [Change].
type Kind string

// The kinds of change.
const (
	KindChanged  Kind = "changed"   // non-zero to another non-zero value
	KindFromZero Kind = "from_zero" // 0 to non-zero; no percent
	KindToZero   Kind = "to_zero"   // non-zero to 0: -100 % from a positive value
	KindAdded    Kind = "added"     // key only in the current table
	KindRemoved  Kind = "removed"   // key only in the previous table
)

// Direction is the sign of a change's delta.
type Direction string

// The directions of a change.
const (
	Increased Direction = "increased"
	Decreased Direction = "decreased"
)

// Filter selects which directions of change alert.
type Filter int

// The direction filters. The zero value is Both.
const (
	Both Filter = iota
	Up
	Down
)

// Threshold decides whether a change is large enough to report. Both parts
// must be met. Changes without a percent (from_zero, added, removed) are
// judged on MinChange alone.
type Threshold struct {
	// Percent is the minimum move in percent of the previous value's
	// magnitude. Nil means the default, 10.
	Percent *Amount
	// MinChange is the minimum absolute change. Nil means 0.
	MinChange *Amount
}

// Options configures [Compute]. A nil *Options is the same as the zero
// value: 10 % and no minimum change, in both directions.
type Options struct {
	Threshold Threshold
	// Fields overrides Threshold per field id. A nil part of an override
	// takes the value of Threshold.
	Fields    map[string]Threshold
	Direction Filter
}

// Change is one reported move of one key.
type Change struct {
	Kind      Kind    `json:"kind"`
	Period    string  `json:"period"`
	OwnerID   string  `json:"ownerId"`
	Email     string  `json:"email"`
	Name      string  `json:"name"`
	Field     string  `json:"field"`
	FieldName string  `json:"fieldName"`
	Previous  *Amount `json:"previous"` // nil for added
	Current   *Amount `json:"current"`  // nil for removed
	// Delta is Current - Previous, with a missing side taken as 0.
	Delta Amount `json:"delta"`
	// Percent is Delta in percent of |Previous|, nil where undefined
	// (from_zero, added, removed). Its sign is the sign of Delta, so
	// to_zero is -100 from a positive value and +100 from a negative one.
	// It is not rounded: use PercentString for display. Sorting and
	// thresholds use the exact ratio, not this float.
	Percent *float64 `json:"percent"`
	// Direction is the sign of Delta. An added or removed value of 0,
	// whose Delta is 0, counts as Increased or Decreased respectively.
	Direction Direction `json:"direction"`
}

// Summary counts the keys of a comparison. Every key of either table lands
// in exactly one of Changed, Added, Removed, Unchanged, BelowThreshold and
// OtherPeriods. BelowThreshold also counts the changes, additions and
// removals that the direction filter drops.
type Summary struct {
	Compared       int `json:"compared"` // keys present in both tables
	Changed        int `json:"changed"`  // reported changed, from_zero and to_zero
	Added          int `json:"added"`
	Removed        int `json:"removed"`
	Unchanged      int `json:"unchanged"`
	BelowThreshold int `json:"belowThreshold"`
	// OtherPeriods counts the keys in a period that only one table has.
	// They are not compared.
	OtherPeriods int `json:"otherPeriods"`
}

// Report is the result of [Compute].
type Report struct {
	// Periods lists the time periods of the current table, sorted.
	Periods []string `json:"periods"`
	// PeriodChanged is true when the two tables share no time period. Such
	// a report lists no changes.
	PeriodChanged bool `json:"periodChanged"`
	// PreviousPeriods lists the time periods of the previous table,
	// sorted.
	PreviousPeriods []string `json:"previousPeriods,omitempty"`
	// Changes lists the reported changes. Those without a percent
	// (from_zero, added, removed) come first, largest |Delta| first, then
	// the others, largest |Percent| first, compared exactly. Ties go by
	// the email trimmed and lower-cased, then field, period and owner id.
	Changes []Change `json:"changes"`
	Summary Summary  `json:"summary"`
}

// Compute compares two tables and returns the report. A nil opts is the
// same as the zero [Options].
//
// Rows of different time periods are never compared. Only the periods
// that both tables have are compared, and a key in a period that only one
// table has counts in [Summary.OtherPeriods], neither added nor removed.
// When both tables have rows but no period in common, the report sets
// PeriodChanged and lists no changes. When one table is empty, every key
// of the other is added or removed.
//
// Compute returns a *[DuplicateKeyError] when a table holds two rows with
// the same key, checking the previous table first. It returns an error
// matching [ErrOptions] for invalid options, and one matching [ErrAmount]
// when a delta leaves the range of an [Amount]. The report does not
// depend on the order of the rows. Compute does not modify the tables and
// is safe to call from several goroutines at once.
func Compute(previous, current []Row, opts *Options) (*Report, error) {
	r, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := checkSize(len(previous), len(current)); err != nil {
		return nil, err
	}
	c := newComparison(Rows(previous), Rows(current), r)
	if sortedByKey(previous) && sortedByKey(current) {
		return c.run(c.mergeSorted)
	}
	c.previous, c.current = previous, current
	return c.run(c.matchIndexed)
}

// ComputeTables is [Compute] for tables read one row at a time. The
// report copies every string that it takes from the rows, so it stays
// valid after the tables' storage is gone. Two tables that are each
// sorted by [CompareKeys], each key once, are walked in step: each row
// is read once, and a reported row up to twice more, and the walk needs
// one byte per previous row. Any other table is first copied into a
// []Row.
func ComputeTables(previous, current Table, opts *Options) (*Report, error) {
	r, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := checkSize(previous.Len(), current.Len()); err != nil {
		return nil, err
	}
	// Try the walk in step first. It checks the order as it goes, and
	// stops with errUnsorted at the first row out of order.
	c := &comparison{prevTable: previous, curTable: current, rules: r, copyStrings: true, checkOrder: true}
	c.periods = newPeriodFilter(sortedPeriods(previous), sortedPeriods(current), previous.Len(), current.Len())
	c.init()
	report, err := c.run(c.mergeSorted)
	if err != errUnsorted {
		return report, err
	}
	p, q := collectRows(previous), collectRows(current)
	indexed := newComparison(Rows(p), Rows(q), r)
	indexed.previous, indexed.current = p, q
	indexed.copyStrings = true
	return indexed.run(indexed.matchIndexed)
}

// run pairs the rows with match, classifies the removed ones and builds
// the report.
func (c *comparison) run(match func() error) (*Report, error) {
	if err := match(); err != nil {
		return nil, err
	}
	if err := c.sweepRemoved(); err != nil {
		return nil, err
	}
	return c.report(), nil
}
