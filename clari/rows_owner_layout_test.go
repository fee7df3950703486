package clari

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

// layoutEntry is an entry in the layout that layoutBody repeats.
const layoutEntry = `{"ownerEmail":"a%d@x.com","ownerName":"A %d","forecastAmount":%d.5}`

// layoutBody returns a per-owner export whose entries 0, 1 and 3 have
// the layout of layoutEntry and whose entry 2 is other, an entry in any
// layout. The scan learns
// the layout from entry 0, tries it on entry 2, and must match it again
// on entry 3.
func layoutBody(other string) string {
	entries := make([]string, 4)
	for i := range entries {
		entries[i] = fmt.Sprintf(layoutEntry, i, i, i)
	}
	entries[2] = other
	return `{"period":"P","entries":[` + strings.Join(entries, ",") + `]}`
}

// layoutTests are exports whose entry 2 differs from the layout of the
// other entries, with whether ReadOwnerRows takes them.
var layoutTests = []struct {
	name  string
	body  string
	plain bool
}{
	{name: "same layout", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3}`)},
	{name: "other key order", plain: true,
		body: layoutBody(`{"ownerName":"C","ownerEmail":"c@x.com","forecastAmount":3}`)},
	{name: "space after brace", plain: true,
		body: layoutBody(`{ "ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3}`)},
	{name: "space before amount", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount": 3}`)},
	{name: "space after amount", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3 }`)},
	{name: "newline after name", plain: true,
		body: layoutBody("{\"ownerEmail\":\"c@x.com\",\"ownerName\":\"C\"\n,\"forecastAmount\":3}")},
	{name: "escaped quote in name",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C\"D","forecastAmount":3}`)},
	{name: "escaped letter in email",
		body: layoutBody(`{"ownerEmail":"c\u0040x.com","ownerName":"C","forecastAmount":3}`)},
	{name: "missing name", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","forecastAmount":3}`)},
	{name: "missing amount",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C"}`)},
	{name: "missing email",
		body: layoutBody(`{"ownerName":"C","forecastAmount":3}`)},
	{name: "extra unknown key",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3,"note":"x"}`)},
	{name: "extra owner id", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3,"ownerId":"7"}`)},
	{name: "extra entry period", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","period":"P","forecastAmount":3}`)},
	{name: "extra other period",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","period":"Q","forecastAmount":3}`)},
	{name: "repeated name",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","ownerName":"D","forecastAmount":3}`)},
	{name: "repeated amount",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3,"forecastAmount":4}`)},
	{name: "null amount",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":null}`)},
	{name: "string amount",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":"3"}`)},
	{name: "exponent amount",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3e2}`)},
	{name: "seven decimals",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3.1234567}`)},
	{name: "thirteen integer digits",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":1234567890123}`)},
	{name: "leading zero",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":03}`)},
	{name: "point without decimals",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3.}`)},
	{name: "two points",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3.5.1}`)},
	{name: "sign after digits",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3-1}`)},
	{name: "letter after amount",
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3x}`)},
	{name: "negative amount", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":-3.25}`)},
	{name: "largest fast amount", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":-999999999999.999999}`)},
	{name: "non-ASCII name", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"Zoë Ñúñez","forecastAmount":3}`)},
	{name: "non-ASCII email", plain: true,
		body: layoutBody(`{"ownerEmail":"Zoë@x.com","ownerName":"C","forecastAmount":3}`)},
	{name: "invalid UTF-8 in name",
		body: layoutBody("{\"ownerEmail\":\"c@x.com\",\"ownerName\":\"C\xff\",\"forecastAmount\":3}")},
	{name: "control character in name",
		body: layoutBody("{\"ownerEmail\":\"c@x.com\",\"ownerName\":\"C\tD\",\"forecastAmount\":3}")},
	{name: "upper-case email", plain: true,
		body: layoutBody(`{"ownerEmail":"Carla.Long@X.com","ownerName":"C","forecastAmount":3}`)},
	{name: "email with spaces", plain: true,
		body: layoutBody(`{"ownerEmail":" c@x.com ","ownerName":"C","forecastAmount":3}`)},
	{name: "blank email",
		body: layoutBody(`{"ownerEmail":"  ","ownerName":"C","forecastAmount":3}`)},
	{name: "empty name", plain: true,
		body: layoutBody(`{"ownerEmail":"c@x.com","ownerName":"","forecastAmount":3}`)},
	{name: "long strings", plain: true,
		body: layoutBody(`{"ownerEmail":"carla.longname.of.the.sales.team@example.com","ownerName":"Carla Longname of the Sales Team","forecastAmount":3}`)},
	{name: "duplicate owner",
		body: layoutBody(`{"ownerEmail":"a0@x.com","ownerName":"C","forecastAmount":3}`)},
	{name: "quote in email key",
		body: layoutBody(`{"ownerEmail\"":"c@x.com","ownerName":"C","forecastAmount":3}`)},
	{name: "cut in name",
		body: `{"period":"P","entries":[` + fmt.Sprintf(layoutEntry, 0, 0, 0) + `,{"ownerEmail":"c@x.com","ownerName":"C`},
	{name: "cut in amount",
		body: `{"period":"P","entries":[` + fmt.Sprintf(layoutEntry, 0, 0, 0) + `,{"ownerEmail":"c@x.com","ownerName":"C","forecastAmount":3`},
	{name: "entry periods then other", body: `{"entries":[` +
		`{"ownerEmail":"a@x","period":"P","forecastAmount":1},{"ownerEmail":"b@x","period":"P","forecastAmount":2},` +
		`{"ownerEmail":"c@x","period":"Q","forecastAmount":3}]}`},
	{name: "owner ids then empty id", plain: true, body: `{"period":"P","entries":[` +
		`{"ownerId":"1","ownerEmail":"a@x","forecastAmount":1},{"ownerId":"2","ownerEmail":"b@x","forecastAmount":2},` +
		`{"ownerId":"","ownerEmail":"C@x","forecastAmount":3}]}`},
}

// ownerScan is the state that a scan of an export leaves behind.
type ownerScan struct {
	ok            bool
	recs, more    []ownerRecord
	split         int
	texts         [2]string
	changed       []string
	text          string
	pos           int
	period        span
	entryPeriod   span
	namedPeriod   bool
	unnamedPeriod bool
}

// scanOwners scans body as readOwners does, with or without the layout
// path, and returns the state that the scan leaves.
func scanOwners(body []byte, copyText, noLayout bool) ownerScan {
	sc := ownerScanner{b: body, copyText: copyText, noLayout: noLayout}
	sc.split = -1
	if !sc.export() {
		return ownerScan{}
	}
	return ownerScan{
		ok:            true,
		recs:          sc.recs,
		more:          sc.more,
		split:         sc.split,
		texts:         sc.texts,
		changed:       sc.changed,
		text:          sc.text.String(),
		pos:           sc.pos,
		period:        sc.period,
		entryPeriod:   sc.entryPeriod,
		namedPeriod:   sc.namedPeriod,
		unnamedPeriod: sc.unnamedPeriod,
	}
}

// checkLayoutMatchesGeneric checks that scanning body with the layout
// path leaves the state that the member-by-member scan alone leaves.
func checkLayoutMatchesGeneric(t *testing.T, body []byte) {
	t.Helper()
	for _, copyText := range []bool{false, true} {
		want := scanOwners(body, copyText, true)
		got := scanOwners(body, copyText, false)
		if got.ok != want.ok {
			t.Fatalf("copyText %t: scan with layout took the input: %t, without: %t", copyText, got.ok, want.ok)
		}
		if reflect.DeepEqual(got, want) {
			continue
		}
		opts := cmp.Options{cmp.AllowUnexported(ownerScan{}, ownerRecord{}, span{}), cmpAmount}
		t.Fatalf("copyText %t: scan with layout differs from scan without (-want +got):\n%s",
			copyText, cmp.Diff(want, got, opts))
	}
}

func TestOwnerLayoutMismatch(t *testing.T) {
	for _, tt := range layoutTests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			checkLayoutMatchesGeneric(t, body)
			rows, plain := ReadOptions{}.ReadOwnerRows(body)
			if plain != tt.plain {
				t.Fatalf("ReadOwnerRows took the input: %t, want %t", plain, tt.plain)
			}
			checkTableMatchesRows(t, ReadOptions{}, body)
			if !plain {
				return
			}
			want, err := readAndRows(ReadOptions{}, body)
			if err != nil {
				t.Fatalf("Read and Rows: %v", err)
			}
			if d := cmp.Diff(want, any(rows), cmpAmount); d != "" {
				t.Errorf("ReadOwnerRows differs from Read and Rows (-want +got):\n%s", d)
			}
		})
	}
}

func TestMatchLayout(t *testing.T) {
	first := `{"ownerEmail":"a@x.com","ownerName":"A","period":"P","forecastAmount":1.5}`
	tests := []struct {
		name  string
		entry string
		match bool
		want  ownerRecord
	}{
		{name: "same layout", match: true,
			entry: `{"ownerEmail":"bob@x.com","ownerName":"Bob Lee","period":"P","forecastAmount":-20.25}`,
			want: ownerRecord{email: span{15, 24}, name: span{39, 46}, id: span{15, 24},
				value: diff.MustParseAmount("-20.25")}},
		{name: "other key order",
			entry: `{"ownerName":"Bob Lee","ownerEmail":"bob@x.com","period":"P","forecastAmount":-20.25}`},
		{name: "space before brace",
			entry: ` {"ownerEmail":"bob@x.com","ownerName":"Bob Lee","period":"P","forecastAmount":-20.25}`},
		{name: "escape in name",
			entry: `{"ownerEmail":"bob@x.com","ownerName":"Bob\tLee","period":"P","forecastAmount":-20.25}`},
		{name: "no period",
			entry: `{"ownerEmail":"bob@x.com","ownerName":"Bob Lee","forecastAmount":-20.25}`},
		{name: "exponent amount",
			entry: `{"ownerEmail":"bob@x.com","ownerName":"Bob Lee","period":"P","forecastAmount":1e2}`},
		{name: "cut before brace",
			entry: `{"ownerEmail":"bob@x.com","ownerName":"Bob Lee","period":"P","forecastAmount":-20.25`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The spans of the second entry are positions in b, which has
			// the first entry and a comma before it.
			b := []byte(first + "," + tt.entry)
			sc := ownerScanner{b: b}
			sc.split = -1
			var r ownerRecord
			if !sc.entry(&r) {
				t.Fatalf("entry rejected the first entry %s", first)
			}
			if sc.layout.count != 4 {
				t.Fatalf("layout has %d values after the first entry, want 4", sc.layout.count)
			}
			sc.pos++
			start := sc.pos
			r = ownerRecord{}
			period, ok := sc.matchLayout(&r)
			if ok != tt.match {
				t.Fatalf("matchLayout matched: %t, want %t", ok, tt.match)
			}
			if !ok {
				if sc.pos != start {
					t.Errorf("matchLayout moved pos from %d to %d without a match", start, sc.pos)
				}
				return
			}
			if sc.pos != len(b) {
				t.Errorf("pos = %d after the match, want the end %d", sc.pos, len(b))
			}
			if got := string(b[period.start:period.end]); got != "P" {
				t.Errorf("period = %q, want %q", got, "P")
			}
			if !sc.finishEntry(&r, period) {
				t.Fatal("finishEntry rejected the matched entry")
			}
			want := tt.want
			want.email.start += uint32(start)
			want.email.end += uint32(start)
			want.name.start += uint32(start)
			want.name.end += uint32(start)
			want.id = want.email
			if d := cmp.Diff(want, r, cmp.AllowUnexported(ownerRecord{}, span{}), cmpAmount); d != "" {
				t.Errorf("record differs (-want +got):\n%s", d)
			}
		})
	}
}

// variedOwners returns a per-owner export of n entries, large enough to
// be scanned in two halves, in which entry i has the text entry(i).
func variedOwners(n int, entry func(i int) string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"period":"2026_Q4","entries":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(entry(i))
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestOwnerLayoutLarge(t *testing.T) {
	const n = 70_000
	split := secondHalfStart(variedOwners(n, func(i int) string { return fmt.Sprintf(layoutEntry, i, i, i) }))
	if split <= 0 {
		t.Fatalf("no second half in an input of %d entries", n)
	}
	// mixed changes the layout every few hundred entries in both halves,
	// and changes it back after a few entries.
	mixed := func(i int) string {
		switch {
		case i%701 < 3:
			return fmt.Sprintf(`{"ownerName":"A %d","forecastAmount":%d,"ownerEmail":"A%d@x.com"}`, i, i, i)
		case i%509 < 2:
			return fmt.Sprintf(`{ "ownerEmail": "a%d@x.com", "forecastAmount": -%d.25 }`, i, i)
		case i%997 == 0:
			return fmt.Sprintf(`{"ownerEmail":"a%d@x.com","ownerName":"Zoë %d","forecastAmount":%d.5}`, i, i, i)
		}
		return fmt.Sprintf(layoutEntry, i, i, i)
	}
	tests := []struct {
		name  string
		body  []byte
		plain bool
	}{
		{name: "mixed layouts", body: variedOwners(n, mixed), plain: true},
		{name: "repeated key in second half", body: variedOwners(n, func(i int) string {
			if i == split+500 {
				return fmt.Sprintf(`{"ownerEmail":"a%d@x.com","ownerName":"A","ownerName":"B","forecastAmount":1}`, i)
			}
			return mixed(i)
		})},
		{name: "exponent in first half", body: variedOwners(n, func(i int) string {
			if i == split/2 {
				return fmt.Sprintf(`{"ownerEmail":"a%d@x.com","ownerName":"A","forecastAmount":1e3}`, i)
			}
			return mixed(i)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) < splitSize*2 {
				t.Fatalf("input of %d bytes is too small to be split", len(tt.body))
			}
			checkLayoutMatchesGeneric(t, tt.body)
			rows, plain := ReadOptions{}.ReadOwnerRows(tt.body)
			if plain != tt.plain {
				t.Fatalf("ReadOwnerRows took the input: %t, want %t", plain, tt.plain)
			}
			checkTableMatchesRows(t, ReadOptions{}, tt.body)
			if !plain {
				return
			}
			want, err := readAndRows(ReadOptions{}, tt.body)
			if err != nil {
				t.Fatalf("Read and Rows: %v", err)
			}
			if d := cmp.Diff(want, any(rows), cmpAmount); d != "" {
				t.Errorf("ReadOwnerRows differs from Read and Rows (-want +got):\n%s", d)
			}
		})
	}
}

// FuzzOwnerLayout checks that the layout path leaves the scan in the
// state that the member-by-member scan alone leaves.
func FuzzOwnerLayout(f *testing.F) {
	for _, tt := range layoutTests {
		f.Add([]byte(tt.body))
	}
	for _, tt := range ownerRowsTests {
		f.Add([]byte(tt.body))
	}
	f.Add(readTestdataF(f, "owners.json"))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) >= 1<<32-1 {
			return
		}
		checkLayoutMatchesGeneric(t, body)
	})
}

// referenceAmount converts the number at the start of b in the three
// steps that scanAmount does in one: the run of number bytes, validNumber
// and fastAmount.
func referenceAmount(b []byte) (int, diff.Amount, bool) {
	j := 0
	for j < len(b) && isNumberByte(b[j]) {
		j++
	}
	lit := b[:j]
	if len(lit) == 0 || !validNumber(lit) {
		return 0, diff.Amount{}, false
	}
	v, ok := fastAmount(lit)
	return j, v, ok
}

// checkScanAmount checks scanAmount at offset 1 of "x"+s against
// referenceAmount(s).
func checkScanAmount(t *testing.T, s string) {
	t.Helper()
	wantEnd, want, wantOK := referenceAmount([]byte(s))
	end, got, ok := scanAmount([]byte("x"+s), 1)
	if ok != wantOK {
		t.Fatalf("scanAmount(%q) accepted it: %t, want %t", s, ok, wantOK)
	}
	if !ok {
		return
	}
	if end != wantEnd+1 {
		t.Errorf("scanAmount(%q) ends at %d, want %d", s, end, wantEnd+1)
	}
	if got != want {
		t.Errorf("scanAmount(%q) = %v, want %v", s, got, want)
	}
}

func TestScanAmount(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "7", "12.5", "-12.5}", "0.000001", "0.0000001", "999999999999", "1000000000000",
		"999999999999.999999,", "-999999999999.999999 ", "00", "01", "-01", "0.", ".5", "-", "+1",
		"1e3", "1E3", "1.5e-3", "1-", "1+", "1.2.3", "--1", "1x", "", "x", " 1", "1 ",
	} {
		checkScanAmount(t, s)
	}
}

// FuzzScanAmount checks scanAmount against validNumber and fastAmount.
func FuzzScanAmount(f *testing.F) {
	for _, s := range []string{"0", "-12.5}", "999999999999.999999", "1e3", "01", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(checkScanAmount)
}

func TestLowerWordMatchesBytes(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			word := []byte("abcdefgh")
			word[pos] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(word[i])
			}
			want := c < 0x80 && (c < 'A' || c > 'Z')
			if got := lowerWord(x); got != want {
				t.Fatalf("lowerWord with byte %#x at %d = %t, want %t", c, pos, got, want)
			}
		}
	}
}
