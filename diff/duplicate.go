package diff

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrDuplicateKey is matched with [errors.Is] by every
// [*DuplicateKeyError].
var ErrDuplicateKey = errors.New("diff: duplicate key")

// DuplicateKeyError reports rows that share a key within one table. Keys
// are sorted by period, owner and field.
type DuplicateKeyError struct {
	Table string // "previous" or "current"
	Keys  []DuplicateKey
}

// DuplicateKey is one duplicated key and how many rows carry it. Owner is
// the owner key: the owner id, or the email trimmed and lower-cased.
type DuplicateKey struct {
	Period, Owner, Field string
	Count                int
}

// maxListedKeys caps how many keys the error message names.
const maxListedKeys = 10

// Error names the table and up to ten duplicated keys with their counts.
func (e *DuplicateKeyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "diff: the %s table has %d duplicated keys:", e.Table, len(e.Keys))
	for i, k := range e.Keys {
		if i == maxListedKeys {
			fmt.Fprintf(&b, " and %d more", len(e.Keys)-maxListedKeys)
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " (period %q, owner %q, field %q) in %d rows", k.Period, k.Owner, k.Field, k.Count)
	}
	b.WriteString("; give each (period, owner, field) one row, for example by summing the rows first")
	return b.String()
}

// Is reports whether target is [ErrDuplicateKey].
func (e *DuplicateKeyError) Is(target error) bool { return target == ErrDuplicateKey }

// duplicateCounter counts the rows of each duplicated key. It stays
// empty, and costs nothing, while a table has no duplicates.
type duplicateCounter struct {
	counts map[rowKey]int
}

// add records one more row of k beyond the first.
func (d *duplicateCounter) add(k rowKey) {
	if d.counts == nil {
		d.counts = make(map[rowKey]int)
	}
	if d.counts[k] == 0 {
		d.counts[k] = 1 // the first row of k, seen before it was a duplicate
	}
	d.counts[k]++
}

// err returns the *DuplicateKeyError for table, or nil when no key was
// duplicated.
func (d *duplicateCounter) err(table string) error {
	if len(d.counts) == 0 {
		return nil
	}
	keys := make([]DuplicateKey, 0, len(d.counts))
	for k, n := range d.counts {
		// Copies, because the rows of a Table may lend their strings.
		keys = append(keys, DuplicateKey{
			Period: strings.Clone(k.period), Owner: strings.Clone(k.owner), Field: strings.Clone(k.field), Count: n,
		})
	}
	slices.SortFunc(keys, func(a, b DuplicateKey) int {
		return cmp.Or(
			strings.Compare(a.Period, b.Period),
			strings.Compare(a.Owner, b.Owner),
			strings.Compare(a.Field, b.Field),
			cmp.Compare(a.Count, b.Count),
		)
	})
	return &DuplicateKeyError{Table: table, Keys: keys}
}

var _ error = (*DuplicateKeyError)(nil)
