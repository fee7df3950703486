package clari

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeAll decodes data with DecodeBytes, Decode and Decode over a reader
// that returns one byte per call, and checks that all three agree.
func decodeAll(t *testing.T, data []byte) (*Export, error) {
	t.Helper()
	want, wantErr := DecodeBytes(data)
	for name, r := range map[string]io.Reader{
		"reader":   bytes.NewReader(data),
		"one byte": iotest.OneByteReader(bytes.NewReader(data)),
	} {
		got, err := Decode(r)
		if diff := cmp.Diff(errString(wantErr), errString(err)); diff != "" {
			t.Errorf("Decode(%s) error differs from DecodeBytes (-DecodeBytes +Decode):\n%s", name, diff)
		}
		if diff := cmp.Diff(want, got, cmpAmount); diff != "" {
			t.Errorf("Decode(%s) differs from DecodeBytes (-DecodeBytes +Decode):\n%s", name, diff)
		}
	}
	return want, wantErr
}

// cmpAmount compares amounts by value for cmp.Diff.
var cmpAmount = cmp.Comparer(func(a, b diff.Amount) bool { return a.Cmp(b) == 0 })

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func amount(s string) *diff.Amount {
	a := diff.MustParseAmount(s)
	return &a
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	data := readTestdata(t, "export.json")
	got, err := decodeAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	var want Export
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, got, cmpAmount); diff != "" {
		t.Errorf("Decode differs from encoding/json (-json +Decode):\n%s", diff)
	}
}

func TestDecodeValues(t *testing.T) {
	got, err := decodeAll(t, readTestdata(t, "export.json"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"number user id", got.Users[1].UserID, ID("1905")},
		{"null parent id", got.Users[1].ParentHierarchyID, ID("")},
		{"number value", got.Entries[1].ForecastValue, amount("125000")},
		{"string value", got.Entries[2].ForecastValue, amount("150000.5")},
		{"null value", got.Entries[4].ForecastValue, (*diff.Amount)(nil)},
		{"absent value", got.Entries[5].ForecastValue == nil, false},
		{"updatedOn", got.Entries[1].UpdatedOn, int64(1754900000000)},
		{"null updatedOn", got.Entries[2].UpdatedOn, int64(0)},
		{"year", got.TimePeriods[0].Year, 2025},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, c.got, cmpAmount); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeInterns(t *testing.T) {
	got, err := DecodeBytes(readTestdata(t, "export.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := got.Entries[0].TimePeriodID, got.Entries[3].TimePeriodID
	if a != b || unsafeStringData(a) != unsafeStringData(b) {
		t.Errorf("timePeriodId %q is stored twice", a)
	}
}

func TestDecodeLenientValues(t *testing.T) {
	tests := []struct {
		name, in string
		want     *Export
	}{
		{"updatedOn as string", `{"entries":[{"updatedOn":"1754900000000"}]}`,
			&Export{Entries: []Entry{{UpdatedOn: 1754900000000}}}},
		{"number id keeps its text", `{"entries":[{"userId":2.9e3}]}`,
			&Export{Entries: []Entry{{UserID: "2.9e3"}}}},
		{"currency object", `{"entries":[{"currency":{"code": "EUR", "n": [1, true]}}]}`,
			&Export{Entries: []Entry{{Currency: `{"code":"EUR","n":[1,true]}`}}}},
		{"data wrapper", `{"data":{"timePeriods":[{"timePeriodId":"2025_Q3"}]}}`,
			&Export{TimePeriods: []TimePeriod{{TimePeriodID: "2025_Q3"}}}},
		{"keys fold case", `{"ENTRIES":[{"userid":"1","ForecastValue":"-0.5"}]}`,
			&Export{Entries: []Entry{{UserID: "1", ForecastValue: amount("-0.5")}}}},
		{"exponent amount", `{"entries":[{"forecastValue":1.5e3}]}`,
			&Export{Entries: []Entry{{ForecastValue: amount("1500")}}}},
		{"null entry", `{"entries":[null]}`, &Export{Entries: []Entry{{}}}},
		{"null arrays", `{"entries":null,"users":null}`, &Export{}},
		{"trailing space", "{} \n\t\r", &Export{}},
		{"escapes", `{"users":[{"name":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}]}`,
			&Export{Users: []User{{Name: "a\"\\/\b\f\n\r\té😀"}}}},
		{"lone surrogate", `{"users":[{"name":"\ud800x\udc00\ud800\u0041"}]}`,
			&Export{Users: []User{{Name: "\uFFFDx\uFFFD\uFFFDA"}}}},
		{"invalid UTF-8", "{\"users\":[{\"name\":\"a\xffb\"}]}",
			&Export{Users: []User{{Name: "a\uFFFDb"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeAll(t, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpAmount); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	long := strings.Repeat("9", 60)
	tests := []struct {
		name, in string
		offset   int64
		path     string
		value    string
		eof      bool
	}{
		{"empty", ``, 0, "", "", true},
		{"top-level array", `[]`, 0, "", "[]", false},
		{"top-level null", `null`, 0, "", "null", false},
		{"trailing data", `{} {}`, 3, "", "{}", false},
		{"truncated object", `{"entries":[{"userId":"1"`, 25, "entries[0].userId", "", true},
		{"truncated string", `{"entries":[{"userId":"12`, 25, "entries[0].userId", "", true},
		{"truncated escape", `{"users":[{"name":"\u00`, 23, "users[0].name", "", true},
		{"bad amount", `{"entries":[{},{"forecastValue":"12x"}]}`, 32, "entries[1].forecastValue", "12x", false},
		{"amount precision", `{"entries":[{"forecastValue":1.0000001}]}`, 29, "entries[0].forecastValue", "1.0000001", false},
		{"long value clipped", `{"entries":[{"forecastValue":` + long + `}]}`, 29, "entries[0].forecastValue", long[:40] + "...", false},
		{"bad number", `{"entries":[{"forecastValue":01}]}`, 29, "entries[0].forecastValue", "01}]}", false},
		{"minus alone", `{"entries":[{"updatedOn":-}]}`, 25, "entries[0].updatedOn", "-}]}", false},
		{"bad literal", `{"entries":[{"isUpdated":tru}]}`, 25, "entries[0].isUpdated", "tru}]}", false},
		{"bool wants bool", `{"entries":[{"isUpdated":"yes"}]}`, 25, "entries[0].isUpdated", `"yes"}]}`, false},
		{"string wants string", `{"fields":[{"fieldName":[1]}]}`, 24, "fields[0].fieldName", "[1]}]}", false},
		{"float year", `{"timePeriods":[{"year":2025.5}]}`, 24, "timePeriods[0].year", "2025.5", false},
		{"control character", "{\"users\":[{\"name\":\"a\nb\"}]}", 20, "users[0].name", "\nb\"}]}", false},
		{"bad escape", `{"users":[{"name":"\x"}]}`, 19, "users[0].name", `\x"}]}`, false},
		{"missing colon", `{"users" []}`, 9, "", "[]}", false},
		{"missing comma", `{"users":[{} {}]}`, 13, "users[0]", "{}]}", false},
		{"unknown key bad value", `{"extra":{"a":[1,}]}`, 17, "extra.a[1]", "}]}", false},
		{"number key", `{1:2}`, 1, "", "1:2}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeAll(t, []byte(tt.in))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode(%q) error = %v, want a *DecodeError", tt.in, err)
			}
			if de.Offset != tt.offset {
				t.Errorf("Offset = %d, want %d (%v)", de.Offset, tt.offset, err)
			}
			if de.Path != tt.path {
				t.Errorf("Path = %q, want %q (%v)", de.Path, tt.path, err)
			}
			if de.Value != tt.value {
				t.Errorf("Value = %q, want %q (%v)", de.Value, tt.value, err)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.eof {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v, want %v (%v)", got, tt.eof, err)
			}
			if !strings.HasPrefix(err.Error(), "clari: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestDecodeTruncatedPrefixes(t *testing.T) {
	data := readTestdata(t, "export.json")
	end := bytes.LastIndexByte(data, '}')
	for n := range end + 1 {
		_, err := DecodeBytes(data[:n])
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("DecodeBytes of the first %d bytes: error = %v, want io.ErrUnexpectedEOF", n, err)
		}
		var de *DecodeError
		if errors.As(err, &de) && de.Offset != int64(n) {
			t.Fatalf("DecodeBytes of the first %d bytes: offset %d, want %d", n, de.Offset, n)
		}
	}
}

func TestDecodeDepthLimit(t *testing.T) {
	deep := `{"x":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`
	if _, err := DecodeBytes([]byte(deep)); err == nil {
		t.Error("DecodeBytes accepted nesting deeper than maxDepth")
	}
	ok := `{"x":` + strings.Repeat("[", maxDepth-2) + strings.Repeat("]", maxDepth-2) + `}`
	if _, err := DecodeBytes([]byte(ok)); err != nil {
		t.Errorf("DecodeBytes rejected nesting of maxDepth: %v", err)
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestDecodeReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(`{"entries":[`), failingReader{boom})
	_, err := Decode(r)
	if !errors.Is(err, boom) {
		t.Errorf("Decode error = %v, want it to wrap %v", err, boom)
	}
}

func unsafeStringData(s string) *byte { return unsafe.StringData(s) }

func mustOpen(tb testing.TB, path string) io.Reader {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func TestDecodeGeneratedMatchesEncodingJSON(t *testing.T) {
	data := generateExport(40, 3, 13)
	var want Export
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*Export{"Decode": got, "ReadFile": fromFile} {
		if diff := cmp.Diff(&want, e, cmpAmount); diff != "" {
			t.Errorf("%s differs from encoding/json (-json +%s):\n%s", name, name, diff)
		}
	}
}

// TestDecodeShrinksEntries decodes an export whose entries come before a
// large users array, so that the first size estimate is far too high.
func TestDecodeShrinksEntries(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"entries":[`)
	for i := range 300 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"userId":"` + strconv.Itoa(i) + `","forecastValue":1}`)
	}
	b.WriteString(`],"users":[` + strings.Repeat(`{"name":"filler filler filler"},`, 20000) + `{}]}`)
	got, err := DecodeBytes([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 300 || got.Entries[299].UserID != "299" || got.Entries[256].UserID != "256" {
		t.Fatalf("got %d entries, want 300 in order", len(got.Entries))
	}
	if c := cap(got.Entries); c > 300+1024+75 {
		t.Errorf("cap(Entries) = %d, want it shrunk near 300", c)
	}
}

func TestPlainWordMatchesPlainByte(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			var word [8]byte
			for i := range word {
				word[i] = 'a'
			}
			word[pos] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(word[i])
			}
			if got := plainWord(x); got != plainByte[c] {
				t.Fatalf("plainWord with byte %#x at %d = %v, want %v", c, pos, got, plainByte[c])
			}
		}
	}
}

func TestDecodeErrorQuotesValueOnce(t *testing.T) {
	_, err := DecodeBytes([]byte(`{"entries":[{"forecastValue":"12,5"}]}`))
	if err == nil {
		t.Fatal("DecodeBytes accepted 12,5 as an amount")
	}
	if n := strings.Count(err.Error(), `"12,5"`); n != 1 {
		t.Errorf("error %q quotes the value %d times, want once", err, n)
	}
}

// TestDecodeReserveBounded decodes tiny entries followed by a long array
// of other values: the reserve must stay near the input size, not assume
// that the whole input is entries of the sampled length.
func TestDecodeReserveBounded(t *testing.T) {
	data := []byte(`{"entries":[` + strings.Repeat(`{},`, 300) + `{}],"x":[` +
		strings.Repeat(`0,`, 1<<20) + `0]}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	e, err := DecodeBytes(data)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Entries) != 301 {
		t.Fatalf("got %d entries, want 301", len(e.Entries))
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 4*uint64(len(data)) {
		t.Errorf("decoding %d bytes allocated %d bytes, want at most 4 times the input", len(data), allocated)
	}
}
