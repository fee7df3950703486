package diff

import (
	"errors"
	"strings"
)

// CompareKeys orders two rows by key: period, then owner key, then field.
// Rows keyed by email come before rows keyed by owner id, and emails
// compare trimmed and lower-cased. It returns 0 exactly when the rows
// have the same key.
//
// When each table is sorted by CompareKeys and holds each key once,
// Compute and ComputeTables walk the two in step and build no hash index. Tables in any
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

// sortedTable is sortedByKey for a Table.
func sortedTable(t Table) bool {
	if rows, ok := t.(Rows); ok {
		return sortedByKey(rows)
	}
	n := t.Len()
	if n == 0 {
		return true
	}
	var buf [2]Row
	fillRow(t, 0, &buf[0])
	for i := 1; i < n; i++ {
		last, r := &buf[(i-1)&1], &buf[i&1]
		fillRow(t, i, r)
		if CompareKeys(last, r) >= 0 {
			return false
		}
	}
	return true
}

// collectRows returns the rows of t as a slice.
func collectRows(t Table) []Row {
	if rows, ok := t.(Rows); ok {
		return rows
	}
	rows := make([]Row, t.Len())
	for i := range rows {
		fillRow(t, i, &rows[i])
	}
	return rows
}

// errUnsorted is returned by mergeSorted, with checkOrder, for tables
// that are not sorted by CompareKeys or that repeat a key.
var errUnsorted = errors.New("diff: table not sorted by key")

// mergeSorted matches the rows of two tables sorted by CompareKeys and
// classifies them, as matchIndexed does for tables in any order. It
// visits the current rows in order and marks the matched previous rows,
// so sweepRemoved then finds the removed keys, and errors come in the
// same order as from the index. It reads each row once.
//
// With checkOrder it also checks the order of every row it reads and
// returns errUnsorted, instead of any other error, when a table is out of
// order.
func (c *comparison) mergeSorted() error {
	prevRows, curRows := c.newCursor(c.prevTable), c.newCursor(c.curTable)
	err := c.walk(prevRows, curRows)
	if !c.checkOrder || err == errUnsorted {
		return err
	}
	if err != nil {
		// The error counts only for sorted tables.
		if sortedTable(c.prevTable) && sortedTable(c.curTable) {
			return err
		}
		return errUnsorted
	}
	for i := prevRows.next; i < prevRows.n; i++ {
		prevRows.at(i)
	}
	if !prevRows.sorted || !curRows.sorted {
		return errUnsorted
	}
	return nil
}

// walk pairs the rows of the two cursors.
func (c *comparison) walk(prevRows, curRows *cursor) error {
	n := prevRows.n
	i := 0
	var prev *Row
	if n > 0 {
		prev = prevRows.at(0)
	}
	for j := range curRows.n {
		cur := curRows.at(j)
		if !prevRows.sorted || !curRows.sorted {
			return errUnsorted
		}
		order := -1
		for i < n {
			if order = CompareKeys(prev, cur); order >= 0 {
				break
			}
			if i++; i < n {
				prev = prevRows.at(i)
			}
		}
		if i >= n || order != 0 {
			c.classifyAdded(cur, j)
			continue
		}
		c.matched[i] = true
		if err := c.classifyPair(prev, cur, i, j); err != nil {
			return err
		}
		if i++; i < n {
			prev = prevRows.at(i)
		}
	}
	return nil
}

// cursor reads the rows of a Table in order. For Rows it points into the
// slice, and for any other Table into one of its two buffers in turn, so
// that the row that at returned stays valid until the second call after.
// With check, it also records whether every row it read had a greater
// key than the one before.
type cursor struct {
	table Table
	rows  Rows
	n     int
	buf   [2]Row
	last  int // the buffer of the row read last

	check  bool
	next   int  // the index that at expects next, with check
	sorted bool // no row out of order so far
}

func (c *comparison) newCursor(t Table) *cursor {
	rows, _ := t.(Rows)
	return &cursor{table: t, rows: rows, n: t.Len(), check: c.checkOrder, sorted: true}
}

// at returns row i. With check, i must be the index after the last one.
func (c *cursor) at(i int) *Row {
	var r, last *Row
	if c.rows != nil {
		r = &c.rows[i]
		if i > 0 {
			last = &c.rows[i-1]
		}
	} else {
		last = &c.buf[c.last]
		c.last ^= 1
		r = &c.buf[c.last]
		fillRow(c.table, i, r)
	}
	if c.check {
		if i > 0 && CompareKeys(last, r) >= 0 {
			c.sorted = false
		}
		c.next = i + 1
	}
	return r
}
