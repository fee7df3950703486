package diff_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

// arenaTable is a diff.Table whose rows' strings all point into one
// byte slice, as the rows of a table read from an export's bytes do.
// Overwriting the slice after a comparison shows whether the report kept
// a string of a row instead of copying it.
type arenaTable struct {
	arena []byte
	rows  []arenaRow
}

type arenaRow struct {
	period, ownerID, email, name, field, fieldName [2]int
	value                                          diff.Amount
}

func newArenaTable(rows []diff.Row) *arenaTable {
	t := &arenaTable{}
	put := func(s string) [2]int {
		start := len(t.arena)
		t.arena = append(t.arena, s...)
		return [2]int{start, len(t.arena)}
	}
	for _, r := range rows {
		t.rows = append(t.rows, arenaRow{
			period: put(r.Period), ownerID: put(r.OwnerID), email: put(r.Email),
			name: put(r.Name), field: put(r.Field), fieldName: put(r.FieldName), value: r.Value,
		})
	}
	return t
}

func (t *arenaTable) str(span [2]int) string {
	if span[0] == span[1] {
		return ""
	}
	return unsafe.String(&t.arena[span[0]], span[1]-span[0])
}

func (t *arenaTable) Len() int { return len(t.rows) }

func (t *arenaTable) Row(i int) diff.Row {
	r := &t.rows[i]
	return diff.Row{
		Period: t.str(r.period), OwnerID: t.str(r.ownerID), Email: t.str(r.email),
		Name: t.str(r.name), Field: t.str(r.field), FieldName: t.str(r.fieldName), Value: r.value,
	}
}

// scribble overwrites every byte that the rows' strings point to.
func (t *arenaTable) scribble() {
	for i := range t.arena {
		t.arena[i] = '#'
	}
}

// checkComputeTables checks that ComputeTables on arena tables of
// previous and current gives the report and error of Compute, and that
// the report stays the same after the arenas are overwritten.
func checkComputeTables(t *testing.T, previous, current []diff.Row, opts *diff.Options) {
	t.Helper()
	want, wantErr := diff.Compute(previous, current, opts)
	p, c := newArenaTable(previous), newArenaTable(current)
	got, err := diff.ComputeTables(p, c, opts)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("ComputeTables error = %v, want %v as from Compute", err, wantErr)
	}
	if err != nil {
		p.scribble()
		c.scribble()
		if err.Error() != wantErr.Error() {
			t.Fatalf("ComputeTables error changed when the rows were overwritten: %v, want %v", err, wantErr)
		}
		return
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("ComputeTables report differs from Compute's (-Compute +ComputeTables):\n%s", d)
	}
	p.scribble()
	c.scribble()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("overwriting the rows changed the ComputeTables report (-before +after):\n%s", d)
	}
}

func TestComputeTablesMatchesCompute(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	previous, current := benchTables(3000, rng)
	checkComputeTables(t, previous, current, nil)
	checkComputeTables(t, sortedRows(previous), sortedRows(current), nil)
	checkComputeTables(t, nil, sortedRows(current), nil)
	checkComputeTables(t, sortedRows(previous), nil, nil)
	checkComputeTables(t, nil, nil, nil)
}

func TestComputeTablesDuplicate(t *testing.T) {
	previous := []diff.Row{
		{Period: "Q1", Email: "ann@x.com", Field: "commit", Value: *amount("1")},
		{Period: "Q1", Email: "ANN@x.com", Field: "commit", Value: *amount("2")},
	}
	_, err := diff.ComputeTables(newArenaTable(previous), diff.Rows(nil), nil)
	var dup *diff.DuplicateKeyError
	if !errors.As(err, &dup) {
		t.Fatalf("ComputeTables with a repeated key: error = %v, want *DuplicateKeyError", err)
	}
	checkComputeTables(t, previous, nil, nil)
}

func TestRowsTable(t *testing.T) {
	rows := diff.Rows{row("ann@x.com", "1"), row("bob@x.com", "2")}
	if rows.Len() != 2 {
		t.Errorf("Rows.Len() = %d, want 2", rows.Len())
	}
	if got := rows.Row(1); got != rows[1] {
		t.Errorf("Rows.Row(1) = %+v, want %+v", got, rows[1])
	}
}

// fillerTable is an arenaTable that is also a diff.RowFiller. It counts
// the calls of FillRow and of Row.
type fillerTable struct {
	*arenaTable
	fills, rows int
}

func (t *fillerTable) Row(i int) diff.Row {
	t.rows++
	return t.arenaTable.Row(i)
}

func (t *fillerTable) FillRow(i int, row *diff.Row) {
	t.fills++
	*row = t.arenaTable.Row(i)
}

func TestComputeTablesRowFiller(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	previous, current := benchTables(2000, rng)
	for _, sorted := range []bool{false, true} {
		p, c := previous, current
		if sorted {
			p, c = sortedRows(previous), sortedRows(current)
		}
		want, err := diff.Compute(p, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		pt, ct := &fillerTable{arenaTable: newArenaTable(p)}, &fillerTable{arenaTable: newArenaTable(c)}
		got, err := diff.ComputeTables(pt, ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("sorted %t: report differs from Compute's (-Compute +ComputeTables):\n%s", sorted, d)
		}
		if pt.fills == 0 || ct.fills == 0 {
			t.Errorf("sorted %t: FillRow calls = %d and %d, want ComputeTables to use FillRow", sorted, pt.fills, ct.fills)
		}
		// Finding the periods of a table reads a few rows with Row.
		if pt.rows > 100 || ct.rows > 100 {
			t.Errorf("sorted %t: Row calls = %d and %d, want FillRow for nearly every row", sorted, pt.rows, ct.rows)
		}
	}
}
