package clari

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

// tableRows returns the rows of t, in order.
func tableRows(t *OwnerTable) []diff.Row {
	rows := make([]diff.Row, t.Len())
	for i := range rows {
		rows[i] = t.Row(i)
	}
	return rows
}

// checkTableMatchesRows checks that ReadOwnerTable and ReadOwnerRows both
// take body or both reject it, and that the table has the rows of
// ReadOwnerRows.
func checkTableMatchesRows(t *testing.T, o ReadOptions, body []byte) {
	t.Helper()
	want, rowsOK := o.ReadOwnerRows(body)
	table, tableOK := o.ReadOwnerTable(body)
	if tableOK != rowsOK {
		t.Fatalf("ReadOwnerTable took the input: %t, ReadOwnerRows: %t", tableOK, rowsOK)
	}
	if !tableOK {
		return
	}
	if table.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", table.Len(), len(want))
	}
	if d := cmp.Diff(want, tableRows(table), cmpAmount); d != "" {
		t.Fatalf("table rows differ from ReadOwnerRows (-want +got):\n%s", d)
	}
	if table.Period() != want[0].Period {
		t.Fatalf("Period() = %q, want %q", table.Period(), want[0].Period)
	}
}

func TestOwnerTableMatchesRows(t *testing.T) {
	for _, tt := range ownerRowsTests {
		t.Run(tt.name, func(t *testing.T) {
			o := ReadOptions{Period: tt.period}
			body := []byte(tt.body)
			if _, ok := o.ReadOwnerTable(body); ok != tt.plain {
				t.Fatalf("ReadOwnerTable took the input: %t, want %t", ok, tt.plain)
			}
			checkTableMatchesRows(t, o, body)
		})
	}
}

// periodOwners returns a per-owner export of n entries, with "P" as the
// top-level period, in which entry i names period(i), or no period when
// that is "". All periods must have one length, so that the bytes of the
// entries stay where they are when the periods change.
func periodOwners(n int, period func(i int) string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"period":"P","entries":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"ownerEmail":"rep%d@example.com","ownerName":"Rep %d",`, i, i)
		if p := period(i); p != "" {
			fmt.Fprintf(&b, `"period":%q,`, p)
		}
		fmt.Fprintf(&b, `"forecastAmount":%d.5}`, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// secondHalfStart returns the index of the entry from which
// ReadOwnerRows scans the second half of body, or -1.
func secondHalfStart(body []byte) int {
	sc := ownerScanner{b: body, pos: bytes.IndexByte(body, '[') + 1}
	start := sc.entryAfter(sc.pos + (len(body)-sc.pos)/2)
	if start < 0 {
		return -1
	}
	// One '{' opens the top-level object, and one opens each entry.
	return bytes.Count(body[:start], []byte{'{'}) - 1
}

func TestOwnerTableLarge(t *testing.T) {
	const n = 70_000
	plain := func(i int) string { return fmt.Sprintf("Rep %d", i) }
	named := func(i int) string { return "Q" }
	split := secondHalfStart(periodOwners(n, named))
	if split <= 0 {
		t.Fatalf("no second half in an input of %d entries", n)
	}
	tests := []struct {
		name  string
		body  []byte
		plain bool
	}{
		{name: "two halves", body: largeOwners(n, plain, -1), plain: true},
		{name: "braces in names", body: largeOwners(n, func(i int) string { return "a},{b}, {c" }, -1), plain: true},
		{name: "duplicate across halves", body: largeOwners(n, plain, n-1)},
		{name: "duplicate at the middle", body: largeOwners(n, plain, 1)},
		{name: "entry periods", body: periodOwners(n, named), plain: true},
		{name: "top period, then entry periods", plain: true, body: periodOwners(n, func(i int) string {
			if i < split {
				return ""
			}
			return "P"
		})},
		{name: "other period in second half", body: periodOwners(n, func(i int) string {
			if i < split {
				return "Q"
			}
			return "R"
		})},
		{name: "top period, then other period", body: periodOwners(n, func(i int) string {
			if i < split {
				return ""
			}
			return "Q"
		})},
		{name: "other period, then top period", body: periodOwners(n, func(i int) string {
			if i < split {
				return "Q"
			}
			return ""
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) < splitSize*2 {
				t.Fatalf("input of %d bytes is too small to be split", len(tt.body))
			}
			if _, ok := (ReadOptions{}).ReadOwnerTable(tt.body); ok != tt.plain {
				t.Fatalf("ReadOwnerTable took the input: %t, want %t", ok, tt.plain)
			}
			checkTableMatchesRows(t, ReadOptions{}, tt.body)
			if !tt.plain {
				return
			}
			want, err := readAndRows(ReadOptions{}, tt.body)
			if err != nil {
				t.Fatalf("Read and Rows: %v", err)
			}
			table, _ := (ReadOptions{}).ReadOwnerTable(tt.body)
			if d := cmp.Diff(want, any(tableRows(table)), cmpAmount); d != "" {
				t.Errorf("table rows differ from Read and Rows (-want +got):\n%s", d)
			}
		})
	}
}

// ownersWithEmails returns a per-owner export with one entry for each
// email.
func ownersWithEmails(emails []string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"period":"P","entries":[`)
	for i, email := range emails {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"ownerEmail":%q,"ownerName":"Rep %d","forecastAmount":%d}`, email, i, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestOwnerTableDuplicateAtSortedMiddle(t *testing.T) {
	const n = 2 * parallelSize
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("rep%d@example.com", i)
	}
	sorted := slices.Sorted(slices.Values(emails))
	// The owner after the middle takes the owner before it, so the two
	// equal ids straddle the middle of the sorted rows, where sortByID
	// splits its work.
	before, after := sorted[n/2-1], sorted[n/2]
	emails[slices.Index(emails, after)] = before
	body := ownersWithEmails(emails)
	if _, ok := (ReadOptions{}).ReadOwnerTable(body); ok {
		t.Errorf("ReadOwnerTable took two entries of owner %s", before)
	}
	if _, ok := (ReadOptions{}).ReadOwnerRows(body); ok {
		t.Errorf("ReadOwnerRows took two entries of owner %s", before)
	}
}

func TestOwnerTableAliasesBody(t *testing.T) {
	const text = `{"period":"2026_Q4","entries":[{"ownerEmail":"b@x.com","ownerName":"Bo","forecastAmount":2.5},` +
		`{"ownerEmail":"a@x.com","ownerName":"Al","forecastAmount":-1}]}`
	body := []byte(text)
	table, ok := ReadOptions{}.ReadOwnerTable(body)
	if !ok {
		t.Fatal("ReadOwnerTable did not take the input")
	}
	rows, ok := ReadOptions{}.ReadOwnerRows(body)
	if !ok {
		t.Fatal("ReadOwnerRows did not take the input")
	}

	// Change "b@x.com" to "c@x.com", "Bo" to "Cy" and the top-level
	// period in body. The table's row 1, the owner b@x.com, shows the
	// email and name change because its strings are body's bytes.
	copy(body[bytes.Index(body, []byte("b@x.com")):], "c")
	copy(body[bytes.Index(body, []byte(`"Bo"`)):], `"Cy"`)
	copy(body[bytes.Index(body, []byte("2026_Q4")):], "2027_Q1")

	got := table.Row(1)
	if got.Email != "c@x.com" {
		t.Errorf("table Email = %q, want %q", got.Email, "c@x.com")
	}
	if got.OwnerID != "c@x.com" {
		t.Errorf("table OwnerID = %q, want %q", got.OwnerID, "c@x.com")
	}
	if got.Name != "Cy" {
		t.Errorf("table Name = %q, want %q", got.Name, "Cy")
	}
	if got.Period != "2026_Q4" {
		t.Errorf("table Period = %q, want the copy %q", got.Period, "2026_Q4")
	}
	if table.Period() != "2026_Q4" {
		t.Errorf("Period() = %q, want the copy %q", table.Period(), "2026_Q4")
	}

	want := diff.Row{Period: "2026_Q4", OwnerID: "b@x.com", Email: "b@x.com", Name: "Bo",
		Field: OwnerFieldID, FieldName: OwnerFieldName, Value: diff.MustParseAmount("2.5")}
	if d := cmp.Diff(want, rows[1], cmpAmount); d != "" {
		t.Errorf("ReadOwnerRows row changed with body (-want +got):\n%s", d)
	}
}

func TestOwnerTableChangedIDCopied(t *testing.T) {
	body := []byte(`{"period":"P","entries":[{"ownerEmail":" Ana@X.com ","forecastAmount":1}]}`)
	table, ok := ReadOptions{}.ReadOwnerTable(body)
	if !ok {
		t.Fatal("ReadOwnerTable did not take the input")
	}
	copy(body[bytes.Index(body, []byte("Ana")):], "Bob")
	got := table.Row(0)
	if got.OwnerID != "ana@x.com" {
		t.Errorf("OwnerID = %q, want the lower-cased copy %q", got.OwnerID, "ana@x.com")
	}
	if got.Email != " Bob@X.com " {
		t.Errorf("Email = %q, want %q from body", got.Email, " Bob@X.com ")
	}
}

var rowSink diff.Row

func TestOwnerTableRowAllocs(t *testing.T) {
	table, ok := ReadOptions{}.ReadOwnerTable([]byte(ownerRowsTests[0].body))
	if !ok {
		t.Fatal("ReadOwnerTable did not take the input")
	}
	allocs := testing.AllocsPerRun(100, func() { rowSink = table.Row(1) })
	if allocs != 0 {
		t.Errorf("Row allocates %v times a call, want 0", allocs)
	}
}

func TestSortPrefixes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	byPrefix := func(a, b ownerItem) int { return bytes.Compare(a.prefix[:], b.prefix[:]) }
	byPrefixRecord := func(a, b ownerItem) int {
		if c := byPrefix(a, b); c != 0 {
			return c
		}
		return int(a.record) - int(b.record)
	}
	for _, n := range []int{1, 2, 33, 600, 5000, parallelSize + 1} {
		for _, parallel := range []bool{false, true} {
			items := make([]ownerItem, n)
			for i := range items {
				// Few distinct bytes, so that many items share prefixes
				// and some bytes are the same in all items.
				for b := range items[i].prefix {
					if b%3 != 0 {
						items[i].prefix[b] = byte(rng.IntN(3)) * 100
					}
				}
				items[i].record = uint32(i)
			}
			got := slices.Clone(items)
			sortPrefixes(got, parallel)
			if !slices.IsSortedFunc(got, byPrefix) {
				t.Errorf("sortPrefixes of %d items, parallel %t: not sorted by prefix", n, parallel)
			}
			// The sort is not stable: compare the items in a stable order.
			slices.SortFunc(got, byPrefixRecord)
			slices.SortFunc(items, byPrefixRecord)
			if !slices.Equal(got, items) {
				t.Errorf("sortPrefixes of %d items, parallel %t: items differ from the input", n, parallel)
			}
		}
	}
}

// FuzzReadOwnerTable checks that ReadOwnerTable and ReadOwnerRows take
// the same inputs and return the same rows.
func FuzzReadOwnerTable(f *testing.F) {
	for _, tt := range ownerRowsTests {
		f.Add([]byte(tt.body), tt.period)
	}
	for _, tt := range layoutTests {
		f.Add([]byte(tt.body), "")
	}
	f.Add(readTestdataF(f, "owners.json"), "")
	f.Fuzz(func(t *testing.T, body []byte, period string) {
		checkTableMatchesRows(t, ReadOptions{Period: period}, body)
	})
}
