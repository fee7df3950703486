package clari

import (
	"bytes"
	"slices"
	"unsafe"

	"github.com/clariwatch/clariwatch/diff"
)

// OwnerTable is the table of rows of a per-owner export, sorted by owner
// id, that [ReadOptions.ReadOwnerTable] returns. It keeps each row as a
// 32-byte record of positions in the export and a 4-byte index, not as a
// 104-byte [diff.Row], and builds a row when [OwnerTable.Row] is called.
// It implements [diff.Table]. Its methods only read the table, so several
// goroutines may call them at once.
type OwnerTable struct {
	ownerRecords
	// order holds the index of the record of each row.
	order  []uint32
	period string
}

var _ diff.RowFiller = (*OwnerTable)(nil)

// ReadOwnerTable returns the rows of the export in body as a table when
// body is in the common form of the per-owner shape, and false for any
// other input. It takes the inputs that [ReadOptions.ReadOwnerRows] takes,
// and Row(i) returns the row i of ReadOwnerRows. Unlike ReadOwnerRows, it
// copies none of the strings of body.
//
// The table and the strings of every row it returns alias body, so body
// must not be modified, reused or unmapped while the table or any of
// those strings is in use. A caller that keeps a row past that point must
// copy its strings. Of the strings of a row, only Period, Field,
// FieldName, and an OwnerID that was trimmed or lower-cased from the
// email, are not part of body.
//
// A large body is scanned on two goroutines. When the calling goroutine
// has set [runtime/debug.SetPanicOnFault], as a reader of a mapped file
// does, a memory fault on the second goroutine panics on the calling one.
func (o ReadOptions) ReadOwnerTable(body []byte) (*OwnerTable, bool) {
	return o.readOwners(body, false)
}

// ReadOwnerTableInOrder is ReadOwnerTable for a body whose order of rows
// is known, from [OwnerTable.Order] of a table read earlier from the same
// bytes. It checks that order puts the entries in the order of
// ReadOwnerTable instead of sorting them, which takes a fraction of the
// time of the sort. It returns false when ReadOwnerTable would, and when
// order differs from the order of ReadOwnerTable. It does not keep order.
func (o ReadOptions) ReadOwnerTableInOrder(body []byte, order []uint32) (*OwnerTable, bool) {
	t, ok := o.scanOwners(body, false)
	if !ok || !t.inOrder(order) {
		return nil, false
	}
	t.order = slices.Clone(order)
	return t, true
}

// Order returns the order of the rows: row i is entry Order()[i] of the
// export, counted from 0 in the order of the file. The slice is a copy.
func (t *OwnerTable) Order() []uint32 { return slices.Clone(t.order) }

// inOrder reports whether order lists each record once, sorted by owner
// id, with no id twice: the order that sortByID returns. Ids that strictly
// increase cannot repeat a record, so n indexes below n that pass are a
// permutation.
func (rs *ownerRecords) inOrder(order []uint32) bool {
	n := rs.len()
	if len(order) != n || n == 0 {
		return false
	}
	if n == 1 {
		return order[0] == 0
	}
	return inHalves(n, n/2, func(lo, hi int) bool {
		for k := max(lo, 1); k < hi; k++ {
			a, b := int(order[k-1]), int(order[k])
			// a needs its own check: the second half starts at
			// order[mid-1], which the first half may not have checked yet.
			if a >= n || b >= n || rs.id(a) >= rs.id(b) {
				return false
			}
		}
		return true
	})
}

// readOwners scans body and sorts its records by owner id. With copyText
// the strings of the table are copies, and without it they alias body.
func (o ReadOptions) readOwners(body []byte, copyText bool) (*OwnerTable, bool) {
	t, ok := o.scanOwners(body, copyText)
	if !ok {
		return nil, false
	}
	if t.order, ok = t.sortByID(); !ok {
		return nil, false
	}
	return t, true
}

// scanOwners scans body into a table whose rows are not yet ordered.
func (o ReadOptions) scanOwners(body []byte, copyText bool) (*OwnerTable, bool) {
	if len(body) >= 1<<32-1 || len(bytes.TrimSpace(body)) == 0 {
		return nil, false
	}
	sc := ownerScanner{b: body, copyText: copyText}
	sc.split = -1
	if !sc.export() || sc.len() == 0 {
		return nil, false
	}
	top := string(sc.b[sc.period.start:sc.period.end])
	if top == "" {
		top = o.Period
	}
	period, ok := sc.rowPeriod(top)
	if !ok {
		return nil, false
	}

	t := &OwnerTable{ownerRecords: sc.ownerRecords, period: period}
	if copyText {
		// join set texts[1] when the second half was scanned apart.
		t.texts[0] = sc.text.String()
	} else {
		// The spans are positions in body, so the strings of the rows are
		// substrings of one string that shares body's memory. string(body)
		// would copy the whole export, which costs more than the records.
		// Go assumes that a string never changes, so ReadOwnerTable
		// requires that body stay unchanged while the table is in use.
		text := unsafe.String(&body[0], len(body))
		t.texts = [2]string{text, text}
	}
	return t, true
}

// Len returns the number of rows.
func (t *OwnerTable) Len() int { return len(t.order) }

// Row returns row i, for 0 <= i < Len(). It does not allocate.
func (t *OwnerTable) Row(i int) diff.Row {
	var row diff.Row
	t.fillRow(&row, i)
	return row
}

// FillRow sets *row to row i, as Row(i) returns it. It implements
// [diff.RowFiller].
func (t *OwnerTable) FillRow(i int, row *diff.Row) { t.fillRow(row, i) }

// Period returns the one period of the rows. It is a copy, which does not
// alias the body of the export.
func (t *OwnerTable) Period() string { return t.period }

// fillRow sets the fields of row to those of row i. It sets them one by
// one, because a composite literal would be built aside and copied with a
// bulk write barrier while the garbage collector runs.
func (t *OwnerTable) fillRow(row *diff.Row, i int) {
	r, text := t.record(int(t.order[i]))
	row.Period = t.period
	row.OwnerID = t.recordID(r, text)
	row.Email = text[r.email.start:r.email.end]
	row.Name = text[r.name.start:r.name.end]
	row.Field = OwnerFieldID
	row.FieldName = OwnerFieldName
	row.Value = r.value
}

// fill sets rows[lo:hi] to the rows lo to hi-1 of t.
func (t *OwnerTable) fill(rows []diff.Row, lo, hi int) {
	for k := lo; k < hi; k++ {
		t.fillRow(&rows[k], k)
	}
}
