package diff

// Table is a table of rows that [ComputeTables] reads one row at a time.
// It lets a caller keep a large table in a compact form, such as
// positions in the export it was read from, instead of as a []Row of
// 104 bytes a row.
type Table interface {
	// Len returns the number of rows.
	Len() int
	// Row returns row i, for 0 <= i < Len(). The strings of the row need
	// to stay valid only until ComputeTables returns, because the report
	// copies those it keeps.
	Row(i int) Row
}

// RowFiller is a [Table] that can also set the fields of a Row that the
// caller passes. ComputeTables reads nearly every row of a RowFiller with
// FillRow instead of Row, which saves copying each row out of Row's
// result. It still calls Row for the few rows that tell the periods of a
// table.
type RowFiller interface {
	Table
	// FillRow sets every field of *row to that of Row(i). The strings it
	// sets must stay valid as long as those of Row(i).
	FillRow(i int, row *Row)
}

// fillRow sets *row to row i of t.
func fillRow(t Table, i int, row *Row) {
	if f, ok := t.(RowFiller); ok {
		f.FillRow(i, row)
		return
	}
	*row = t.Row(i)
}

// Rows is a []Row as a [Table].
type Rows []Row

// Len returns len(r).
func (r Rows) Len() int { return len(r) }

// Row returns r[i].
func (r Rows) Row(i int) Row { return r[i] }
