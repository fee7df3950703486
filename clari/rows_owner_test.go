package clari

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readAndRows is what ReadRows must return: Read, then Rows.
func readAndRows(o ReadOptions, body []byte) (any, error) {
	e, err := o.Read(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return e.Rows()
}

// ownerRowsTests are inputs of ReadOwnerRows, with whether it takes them.
var ownerRowsTests = []struct {
	name   string
	body   string
	period string
	plain  bool // the fast path takes it
}{
	{name: "plain", plain: true,
		body: `{"period":"2026_Q4","entries":[{"ownerEmail":"b@x.com","ownerName":"B","forecastAmount":2.5},` +
			`{"ownerEmail":"a@x.com","ownerName":"A","forecastAmount":-1}]}`},
	{name: "spaces and key order", plain: true,
		body: " {\n\"entries\" : [ { \"forecastAmount\" : 10.123456 , \"ownerName\":\"Zoë\", \"ownerEmail\":\" Ana@X.com \" } ] ,\"period\":\"P\"}\n"},
	{name: "owner id and entry period", plain: true,
		body: `{"entries":[{"ownerId":"42","ownerEmail":"a@x.com","period":"P","forecastAmount":1},` +
			`{"ownerEmail":"42@x.com","period":"P","forecastAmount":3}]}`},
	{name: "period from options", plain: true, period: "Q",
		body: `{"entries":[{"ownerEmail":"a@x.com","forecastAmount":1}]}`},
	{name: "long shared prefixes", plain: true,
		body: `{"period":"P","entries":[{"ownerEmail":"rep10000@x","forecastAmount":1},{"ownerEmail":"rep1000@x","forecastAmount":2},` +
			`{"ownerEmail":"rep100000@x","forecastAmount":3},{"ownerEmail":"rep10000","forecastAmount":4}]}`},
	{name: "shared prefixes after others", plain: true,
		body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":1},{"ownerEmail":"b@x","forecastAmount":2},` +
			`{"ownerEmail":"c@x","forecastAmount":1},{"ownerEmail":"d@x","forecastAmount":2},{"ownerEmail":"rep10000@x","forecastAmount":3},{"ownerEmail":"rep1000@x","forecastAmount":4},` +
			`{"ownerEmail":"rep100000@x","forecastAmount":5},{"ownerEmail":"rep10000","forecastAmount":6}]}`},
	{name: "duplicate owner after others", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":1},` +
		`{"ownerEmail":"b@x","forecastAmount":2},{"ownerEmail":"c@x","forecastAmount":3},` +
		`{"ownerEmail":"rep12345@x","forecastAmount":4},{"ownerEmail":"rep12345@x","forecastAmount":5}]}`},
	{name: "duplicate owner", body: `{"period":"P","entries":[{"ownerEmail":"a@x","ownerName":"1","forecastAmount":1},` +
		`{"ownerEmail":"A@x","ownerName":"2","forecastAmount":2}]}`},
	{name: "null amount", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":null}]}`},
	{name: "string amount", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":"1"}]}`},
	{name: "exponent", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":1e3}]}`},
	{name: "escape", body: `{"period":"P","entries":[{"ownerEmail":"a\u0040x","forecastAmount":1}]}`},
	{name: "invalid UTF-8", body: "{\"period\":\"P\",\"entries\":[{\"ownerEmail\":\"a@x\",\"ownerName\":\"\xff\",\"forecastAmount\":1}]}"},
	{name: "two periods", body: `{"entries":[{"ownerEmail":"a@x","period":"P","forecastAmount":1},` +
		`{"ownerEmail":"b@x","period":"Q","forecastAmount":1}]}`},
	{name: "entry period over top", plain: true,
		body: `{"period":"P","entries":[{"ownerEmail":"a@x","period":"Q","forecastAmount":1}]}`},
	{name: "empty entry period", plain: true,
		body: `{"period":"P","entries":[{"ownerEmail":"a@x","period":"","forecastAmount":1}]}`},
	{name: "unnamed then named period", plain: true,
		body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":1},{"ownerEmail":"b@x","period":"P","forecastAmount":2}]}`},
	{name: "named period then top", body: `{"period":"P","entries":[{"ownerEmail":"a@x","period":"Q","forecastAmount":1},` +
		`{"ownerEmail":"b@x","forecastAmount":2}]}`},
	{name: "no period", body: `{"entries":[{"ownerEmail":"a@x","forecastAmount":1}]}`},
	{name: "no owner", body: `{"period":"P","entries":[{"ownerName":"A","forecastAmount":1}]}`},
	{name: "other key", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":1,"note":"x"}]}`},
	{name: "key case", body: `{"period":"P","entries":[{"OwnerEmail":"a@x","forecastAmount":1}]}`},
	{name: "repeated key", body: `{"period":"P","entries":[{"ownerEmail":"a@x","ownerEmail":"b@x","forecastAmount":1}]}`},
	{name: "empty entries", body: `{"period":"P","entries":[]}`},
	{name: "clari shape", body: `{"entries":[{"timePeriodId":"P","userId":"1","fieldId":"f","forecastValue":1}]}`},
	{name: "trailing data", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":1}]} x`},
	{name: "cut", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":1}`},
	{name: "bad number", body: `{"period":"P","entries":[{"ownerEmail":"a@x","forecastAmount":01}]}`},
	{name: "empty", body: ``},
}

func TestReadOwnerRowsMatchesRead(t *testing.T) {
	for _, tt := range ownerRowsTests {
		t.Run(tt.name, func(t *testing.T) {
			o := ReadOptions{Period: tt.period}
			body := []byte(tt.body)
			got, plain := o.ReadOwnerRows(body)
			if plain != tt.plain {
				t.Fatalf("ReadOwnerRows took the input: %t, want %t", plain, tt.plain)
			}
			if !plain {
				return
			}
			want, err := readAndRows(o, body)
			if err != nil {
				t.Fatalf("Read and Rows: %v", err)
			}
			if d := cmp.Diff(want, any(got), cmpAmount); d != "" {
				t.Errorf("ReadOwnerRows differs from Read and Rows (-want +got):\n%s", d)
			}
		})
	}
}

// FuzzReadOwnerRows checks that whenever the per-owner fast path takes an
// input, Read and Rows accept it too and return the same rows.
func FuzzReadOwnerRows(f *testing.F) {
	f.Add([]byte(`{"period":"P","entries":[{"ownerEmail":"B@x","ownerName":"B","forecastAmount":2.5},{"ownerId":"7","forecastAmount":-0.000001}]}`), "")
	f.Add([]byte(`{"entries":[{"ownerEmail":" a@x ","period":"Q","forecastAmount":123456789012.5}]}`), "P")
	f.Add([]byte("{\"period\":\"P\",\"entries\":[{\"ownerEmail\":\"\xc3\xa9@x\",\"forecastAmount\":0}]}"), "")
	for _, tt := range layoutTests {
		f.Add([]byte(tt.body), "")
	}
	f.Add(readTestdataF(f, "owners.json"), "")
	f.Fuzz(func(t *testing.T, body []byte, period string) {
		o := ReadOptions{Period: period}
		got, plain := o.ReadOwnerRows(body)
		if !plain {
			return
		}
		want, err := readAndRows(o, body)
		if err != nil {
			t.Fatalf("fast path took an input that Read and Rows reject: %v", err)
		}
		if d := cmp.Diff(want, any(got), cmpAmount); d != "" {
			t.Fatalf("fast path differs from Read and Rows (-want +got):\n%s", d)
		}
	})
}

// largeOwners returns a per-owner export of n entries, large enough that
// ReadOwnerRows scans and fills it in two halves. name returns the name
// of entry i, and dup, when not negative, gives entry dup the owner of
// entry 0.
func largeOwners(n int, name func(i int) string, dup int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"period":"2026_Q4","entries":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n ")
		}
		owner := i
		if i == dup {
			owner = 0
		}
		fmt.Fprintf(&b, `{"ownerEmail":"Rep%d@example.com","ownerName":%q,"forecastAmount":%d.%02d}`,
			owner, name(i), i*37%100000, i%100)
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestReadOwnerRowsLarge(t *testing.T) {
	const n = 70_000
	plain := func(i int) string { return fmt.Sprintf("Rep %d", i) }
	tests := []struct {
		name  string
		body  []byte
		plain bool
	}{
		{name: "two halves", body: largeOwners(n, plain, -1), plain: true},
		// The guess at the start of the second half falls inside a name,
		// so the first half is scanned to the end alone.
		{name: "braces in names", body: largeOwners(n, func(i int) string { return "a},{b}, {c" }, -1), plain: true},
		{name: "duplicate across halves", body: largeOwners(n, plain, n-1)},
		{name: "duplicate at the middle", body: largeOwners(n, plain, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) < splitSize*2 {
				t.Fatalf("input of %d bytes is too small to be split", len(tt.body))
			}
			got, ok := ReadOptions{}.ReadOwnerRows(tt.body)
			if ok != tt.plain {
				t.Fatalf("ReadOwnerRows took the input: %t, want %t", ok, tt.plain)
			}
			if !ok {
				return
			}
			want, err := readAndRows(ReadOptions{}, tt.body)
			if err != nil {
				t.Fatalf("Read and Rows: %v", err)
			}
			if d := cmp.Diff(want, any(got), cmpAmount); d != "" {
				t.Errorf("ReadOwnerRows differs from Read and Rows (-want +got):\n%s", d)
			}
		})
	}
}
