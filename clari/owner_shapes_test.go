package clari

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

// mixedShapeOwner is one entry of a generated per-owner export. Empty
// fields are left out of its JSON.
type mixedShapeOwner struct {
	id, email, name, period, amount string
}

// mixedShapeAmounts are the amounts of generated entries, in several
// number forms, some of which are equal as decimals.
var mixedShapeAmounts = []string{"0", "100", "100.00", "110", "109.99", "-5", "1e3", "1000", "0.1", "123456789012.34", "7.5"}

// mixedShapeOwners returns n entries with owner keys drawn from keys values:
// an owner id with or without an email, or an email in lower case, upper
// case or with spaces around it. Some entries have no name, a name with
// an escape, or a period of their own.
func mixedShapeOwners(rng *rand.Rand, n, keys int) []mixedShapeOwner {
	owners := make([]mixedShapeOwner, n)
	for i := range owners {
		o := mixedShapeOwner{amount: mixedShapeAmounts[rng.IntN(len(mixedShapeAmounts))]}
		k := rng.IntN(keys)
		if rng.IntN(3) == 0 {
			o.id = fmt.Sprint(k)
			if rng.IntN(2) == 0 {
				o.email = fmt.Sprintf("Rep%d@Example.com", k)
			}
		} else {
			o.email = fmt.Sprintf("rep%d@example.com", k)
			switch rng.IntN(4) {
			case 0:
				o.email = strings.ToUpper(o.email)
			case 1:
				o.email = " " + o.email + " "
			}
		}
		if rng.IntN(3) > 0 {
			o.name = fmt.Sprintf("Rep %d", k)
		}
		if rng.IntN(10) == 0 {
			// ReadOwnerRows takes no string with an escape.
			o.name = `O\u2019Neil`
		}
		switch rng.IntN(12) {
		case 0:
			o.period = "2026_Q4"
		case 1:
			o.period = "2027_Q1"
		}
		owners[i] = o
	}
	return owners
}

// mixedShapeExport returns the JSON of a per-owner export of owners, with the
// top-level period top when it is not empty, and the keys of each entry
// in random order.
func mixedShapeExport(rng *rand.Rand, top string, owners []mixedShapeOwner) []byte {
	var b bytes.Buffer
	b.WriteString("{")
	if top != "" {
		fmt.Fprintf(&b, `"period":%q,`, top)
	}
	b.WriteString(`"entries":[`)
	for i, o := range owners {
		if i > 0 {
			b.WriteString(",")
		}
		var members []string
		add := func(key, value string) {
			if value != "" {
				members = append(members, fmt.Sprintf("%q:%q", key, value))
			}
		}
		add("ownerId", o.id)
		add("ownerEmail", o.email)
		add("period", o.period)
		if o.name != "" {
			// The name may contain an escape, which %q would escape again.
			members = append(members, `"ownerName":"`+o.name+`"`)
		}
		members = append(members, `"forecastAmount":`+o.amount)
		rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		b.WriteString("{" + strings.Join(members, ",") + "}")
	}
	b.WriteString("]}")
	return b.Bytes()
}

// mixedShapeRead is one export read by every reader: the table and rows of
// the fast path, when it takes the export, and the rows of Read and Rows.
type mixedShapeRead struct {
	fast     bool
	table    *OwnerTable
	fastRows []diff.Row
	rows     []diff.Row
}

func readMixedShape(t *testing.T, body []byte) mixedShapeRead {
	t.Helper()
	o := ReadOptions{Period: "2026_Q4"}
	var r mixedShapeRead
	var tableOK bool
	r.table, tableOK = o.ReadOwnerTable(body)
	r.fastRows, r.fast = o.ReadOwnerRows(body)
	if tableOK != r.fast {
		t.Fatalf("ReadOwnerTable took the export: %t, ReadOwnerRows: %t\n%s", tableOK, r.fast, body)
	}
	exp, err := o.Read(bytes.NewReader(body))
	if err == nil {
		r.rows, err = exp.Rows()
	}
	if err != nil {
		t.Fatalf("Read and Rows: %v\n%s", err, body)
	}
	return r
}

// TestOwnerShapesCompareAlike compares pairs of generated per-owner
// exports of mixed shapes in each way that the package reads them:
// diff.ComputeTables on two tables, diff.Compute on the rows of
// ReadOwnerRows, and a table against the rows of Read and Rows. Each
// report must equal diff.Compute on the rows of Read and Rows.
func TestOwnerShapesCompareAlike(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tops := []string{"2026_Q4", "", "2026_Q4"}
	fastPairs, mixedPairs := 0, 0
	for i := range 6000 {
		keys := []int{20, 400}[i%2]
		prevBody := mixedShapeExport(rng, tops[rng.IntN(len(tops))], mixedShapeOwners(rng, 1+rng.IntN(12), keys))
		curBody := mixedShapeExport(rng, tops[rng.IntN(len(tops))], mixedShapeOwners(rng, 1+rng.IntN(12), keys))
		prev, cur := readMixedShape(t, prevBody), readMixedShape(t, curBody)
		want, wantErr := diff.Compute(prev.rows, cur.rows, nil)
		check := func(how string, got *diff.Report, err error) {
			t.Helper()
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("pair %d, %s: error %v, want %v\nprevious %s\ncurrent %s", i, how, err, wantErr, prevBody, curBody)
			}
			if d := cmp.Diff(want, got, cmpAmount); d != "" {
				t.Fatalf("pair %d, %s: report differs from Compute on Read and Rows (-want +got):\n%s\nprevious %s\ncurrent %s",
					i, how, d, prevBody, curBody)
			}
		}
		switch {
		case prev.fast && cur.fast:
			fastPairs++
			got, err := diff.ComputeTables(prev.table, cur.table, nil)
			check("ComputeTables on two tables", got, err)
			got, err = diff.Compute(prev.fastRows, cur.fastRows, nil)
			check("Compute on ReadOwnerRows", got, err)
		case prev.fast:
			mixedPairs++
			got, err := diff.ComputeTables(prev.table, diff.Rows(cur.rows), nil)
			check("ComputeTables on a table and rows", got, err)
		case cur.fast:
			mixedPairs++
			got, err := diff.ComputeTables(diff.Rows(prev.rows), cur.table, nil)
			check("ComputeTables on rows and a table", got, err)
		}
	}
	// The generator must reach both paths, or the test compares little.
	if fastPairs < 100 || mixedPairs < 100 {
		t.Errorf("pairs of two tables = %d, of a table and rows = %d; want at least 100 of each", fastPairs, mixedPairs)
	}
}
