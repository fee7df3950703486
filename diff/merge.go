package diff

import "strings"

// CompareKeys orders two rows by key: period, then owner key, then field.
// Rows keyed by email come before rows keyed by owner id, and emails
// compare trimmed and lower-cased. It returns 0 exactly when the rows
// have the same key.
//
// When each table is sorted by CompareKeys and holds each key once,
// Compute walks the two in step and builds no hash index. Tables in any
// other order give the same report, at the cost of the index. clari's Export.Rows and
// ReadOwnerRows return rows in this order.
func CompareKeys(a, b *Row) int {
	if c := strings.Compare(a.Period, b.Period); c != 0 {
		return c
	}
	aID, bID := a.OwnerID != "", b.OwnerID != ""
	switch {
	case aID != bID:
		if bID {
			return -1
		}
		return 1
	case aID:
		if c := strings.Compare(a.OwnerID, b.OwnerID); c != 0 {
			return c
		}
	case a.Email != b.Email:
		if c := compareOwnerEmails(a.Email, b.Email); c != 0 {
			return c
		}
	}
	return strings.Compare(a.Field, b.Field)
}

// sortedByKey reports whether every row of rows has a greater key than
// the row before it: the rows are sorted by CompareKeys and no key
// repeats.
func sortedByKey(rows []Row) bool {
	for i := 1; i < len(rows); i++ {
		if CompareKeys(&rows[i-1], &rows[i]) >= 0 {
			return false
		}
	}
	return true
}

// mergeSorted matches the rows of two tables sorted by CompareKeys and
// classifies them, as indexPrevious and matchCurrent do for tables in
// any order. It visits the current rows in order and marks the matched
// previous rows, so sweepRemoved then finds the removed keys, and errors
// come in the same order as from the index.
func (c *comparison) mergeSorted() error {
	i := 0
	for j := range c.current {
		cur := &c.current[j]
		for i < len(c.previous) && CompareKeys(&c.previous[i], cur) < 0 {
			i++
		}
		if i < len(c.previous) && CompareKeys(&c.previous[i], cur) == 0 {
			c.matched[i] = true
			if err := c.classifyPair(i, j); err != nil {
				return err
			}
			i++
			continue
		}
		c.classifyAdded(j)
	}
	return nil
}
