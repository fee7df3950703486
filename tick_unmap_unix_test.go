//go:build unix

package clariwatch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/snapshot"
)

// recordKeeper is a slog.Handler that keeps every record, with the
// strings of its attributes, until the test formats them.
type recordKeeper struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordKeeper) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordKeeper) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

func (h *recordKeeper) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordKeeper) WithGroup(string) slog.Handler      { return h }

// text formats the kept records.
func (h *recordKeeper) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b bytes.Buffer
	out := slog.NewTextHandler(&b, nil)
	for _, r := range h.records {
		out.Handle(context.Background(), r)
	}
	return b.String()
}

// appendStrings appends every string reachable from v, following
// pointers, interfaces, slices, arrays, maps and struct fields, also
// unexported ones. seen stops cycles.
func appendStrings(out []string, v reflect.Value, seen map[uintptr]bool) []string {
	switch v.Kind() {
	case reflect.String:
		return append(out, v.String())
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return out
		}
		seen[v.Pointer()] = true
		return appendStrings(out, v.Elem(), seen)
	case reflect.Interface:
		if v.IsNil() {
			return out
		}
		return appendStrings(out, v.Elem(), seen)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			out = appendStrings(out, v.Index(i), seen)
		}
	case reflect.Map:
		// Sorted, because the order of a map's entries changes between
		// walks.
		var entries []string
		iter := v.MapRange()
		for iter.Next() {
			entries = appendStrings(entries, iter.Key(), seen)
			entries = appendStrings(entries, iter.Value(), seen)
		}
		slices.Sort(entries)
		out = append(out, entries...)
	case reflect.Struct:
		for i := range v.NumField() {
			out = appendStrings(out, v.Field(i), seen)
		}
	}
	return out
}

// tickOutput is every string that a tick returned, sent or logged, as
// the test reads it: the strings of the Result, its JSON from MarshalJSON
// and WriteJSON, the error, the sent messages and the log.
type tickOutput struct {
	strs []string
	text []string
}

func readTickOutput(t *testing.T, res *clariwatch.Result, err error, rec *recorder, logs *recordKeeper) tickOutput {
	t.Helper()
	var out tickOutput
	seen := map[uintptr]bool{}
	out.strs = appendStrings(out.strs, reflect.ValueOf(res), seen)
	out.strs = appendStrings(out.strs, reflect.ValueOf(&err), seen)
	rec.mu.Lock()
	out.strs = appendStrings(out.strs, reflect.ValueOf(rec.msgs), seen)
	rec.mu.Unlock()
	if res != nil {
		js, jerr := res.MarshalJSON()
		if jerr != nil {
			t.Fatalf("MarshalJSON: %v", jerr)
		}
		var w bytes.Buffer
		if werr := res.WriteJSON(&w); werr != nil {
			t.Fatalf("WriteJSON: %v", werr)
		}
		out.text = append(out.text, string(js), w.String(), fmt.Sprintf("%+v", *res))
	}
	if err != nil {
		out.text = append(out.text, err.Error())
	}
	out.text = append(out.text, logs.text())
	return out
}

// cloneOutput copies every string of o, so that the copy stays valid
// whatever happens to the memory of the original strings.
func cloneOutput(o tickOutput) tickOutput {
	var c tickOutput
	for _, s := range o.strs {
		c.strs = append(c.strs, strings.Clone(s))
	}
	for _, s := range o.text {
		c.text = append(c.text, strings.Clone(s))
	}
	return c
}

// unmapSetup is a monitor on a FileSource, whose file is mapped on Unix
// systems, and a FileStore, whose snapshots are mapped too.
type unmapSetup struct {
	path  string
	store *snapshot.FileStore
	rec   *recorder
	logs  *recordKeeper
	mon   *clariwatch.Monitor
}

func newUnmapSetup(t *testing.T, mutate func(*clariwatch.Config)) *unmapSetup {
	t.Helper()
	store, err := snapshot.OpenFileStore(t.Context(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := &unmapSetup{
		path:  filepath.Join(t.TempDir(), "export.json"),
		store: store,
		rec:   &recorder{},
		logs:  &recordKeeper{},
	}
	cfg := clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: s.path},
		Store:      store,
		Notifier:   s.rec,
		ForecastID: "net_bookings",
		CacheDir:   t.TempDir(),
		Logger:     slog.New(s.logs),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	if s.mon, err = clariwatch.NewMonitor(cfg); err != nil {
		t.Fatal(err)
	}
	return s
}

// tick writes body to the export file, runs a tick, and then overwrites
// the file in place and truncates it. Every string of the tick's output
// must read the same before and after. A string that still pointed into
// the mapping of the file would change with the file or fault, and one
// that pointed into a removed mapping would fault.
func (s *unmapSetup) tick(t *testing.T, body []byte) (*clariwatch.Result, error) {
	t.Helper()
	if err := os.WriteFile(s.path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	makeOld(t, s.path)
	mapNewFiles(t)
	res, err := s.mon.Tick(t.Context())
	before := cloneOutput(readTickOutput(t, res, err, s.rec, s.logs))

	f, ferr := os.OpenFile(s.path, os.O_WRONLY, 0)
	if ferr != nil {
		t.Fatal(ferr)
	}
	if _, werr := f.WriteAt(bytes.Repeat([]byte{'#'}, len(body)), 0); werr != nil {
		t.Fatal(werr)
	}
	if cerr := f.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	overwritten := readTickOutput(t, res, err, s.rec, s.logs)
	if err := os.Truncate(s.path, 0); err != nil {
		t.Fatal(err)
	}
	truncated := readTickOutput(t, res, err, s.rec, s.logs)

	for _, after := range []tickOutput{overwritten, truncated} {
		if i := firstDifference(before.strs, after.strs); i >= 0 {
			t.Errorf("string %d of the tick's output changed with the export file (%d strings before, %d after)",
				i, len(before.strs), len(after.strs))
		}
		if i := firstDifference(before.text, after.text); i >= 0 {
			t.Errorf("text %d of the tick's output changed with the export file (%d texts before, %d after)",
				i, len(before.text), len(after.text))
		}
	}
	return res, err
}

// firstDifference returns the index of the first string of b that differs
// from the one of a, or -1 when the lists are equal. Lists of different
// lengths differ at the end of the shorter one.
func firstDifference(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// repeatedOwnerJSON is a per-owner export whose first owner has two
// entries.
func repeatedOwnerJSON(n int) []byte {
	b := ownersJSON("2026_Q4", n, "100")
	entry := `{"ownerEmail":"rep0@example.com","ownerName":"Rep 0","forecastAmount":5},`
	return bytes.Replace(b, []byte(`"entries":[`), []byte(`"entries":[`+entry), 1)
}

// TestTickOutputOutlivesMapping checks that nothing a tick returns, sends
// or logs points into the mapped export file once Tick has returned, on
// the successful and failing paths of the table below.
func TestTickOutputOutlivesMapping(t *testing.T) {
	const owners = 500
	base := ownersJSON("2026_Q4", owners, "100")
	changed := ownersJSON("2026_Q4", owners, "200")

	tests := []struct {
		name    string
		mutate  func(*clariwatch.Config)
		bodies  [][]byte
		failing bool // notifier fails
		wantErr bool // the last tick fails
	}{
		{name: "baseline", bodies: [][]byte{base}},
		{name: "changes sent", bodies: [][]byte{base, changed}},
		{name: "notifier failure", bodies: [][]byte{base, changed}, failing: true, wantErr: true},
		{name: "dry run", bodies: [][]byte{base, changed},
			mutate: func(c *clariwatch.Config) { c.DryRun = true }},
		{name: "unchanged", bodies: [][]byte{base, base}},
		{name: "partial export", bodies: [][]byte{base, ownersJSON("2026_Q4", owners/10, "100")}, wantErr: true},
		// The common per-owner form has distinct owners, so this export
		// is decoded in full, where the later entry of an owner wins.
		{name: "repeated owner", bodies: [][]byte{base, repeatedOwnerJSON(owners)}},
		{name: "invalid export", bodies: [][]byte{base, base[:len(base)-1]}, wantErr: true},
		{name: "period mismatch", bodies: [][]byte{ownersJSON("2026_Q4", owners, "100")}, wantErr: true,
			mutate: func(c *clariwatch.Config) { c.Period = "2027_Q1" }},
		// An export without entries names no period, so the request does.
		{name: "head without values", bodies: [][]byte{ownersJSON("2026_Q4", 0, "100"), base},
			mutate: func(c *clariwatch.Config) { c.Period = "2026_Q4" }},
		{name: "clari export shape", bodies: [][]byte{readExport(t, 1), readExport(t, 2)}},
		// Large enough for the scan and the sort on two goroutines.
		{name: "large export", bodies: [][]byte{
			ownersJSON("2026_Q4", 70_000, "100"), ownersJSON("2026_Q4", 70_000, "200")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newUnmapSetup(t, tt.mutate)
			var err error
			for i, body := range tt.bodies {
				if i == len(tt.bodies)-1 && tt.failing {
					s.rec.mu.Lock()
					s.rec.fail = errors.New("receiver down")
					s.rec.mu.Unlock()
				}
				_, err = s.tick(t, body)
				if i < len(tt.bodies)-1 && err != nil {
					t.Fatalf("tick %d: %v", i+1, err)
				}
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("last tick error = %v; want an error: %v", err, tt.wantErr)
			}
		})
	}
}
