package clariwatch_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/google/go-cmp/cmp"
)

// staleHeadStore returns stale from its first Head call, as if another
// tick advanced the head between that read and the lock.
type staleHeadStore struct {
	snapshot.Store
	stale snapshot.Meta
	calls atomic.Int32
}

func (s *staleHeadStore) Head(ctx context.Context, k snapshot.Key) (snapshot.Meta, error) {
	if s.calls.Add(1) == 1 {
		return s.stale, nil
	}
	return s.Store.Head(ctx, k)
}

// TestTickHeadMovedBeforeLock checks that a tick compares with the head
// it reads under the lock, not with the one it started to read early.
func TestTickHeadMovedBeforeLock(t *testing.T) {
	owners := func(amount string) []byte {
		return fmt.Appendf(nil, `{"period":"2026_Q4","entries":[{"ownerEmail":"ana@example.com","forecastAmount":%s},`+
			`{"ownerEmail":"bo@example.com","forecastAmount":50}]}`, amount)
	}
	for _, period := range []string{"", "2026_Q4"} {
		t.Run("period="+period, func(t *testing.T) {
			ctx := t.Context()
			mem := snapshot.NewMemoryStore()
			k := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
			old, err := mem.Put(ctx, snapshot.Meta{Key: k}, bytes.NewReader(owners("100")))
			if err != nil {
				t.Fatal(err)
			}
			head, err := mem.Put(ctx, snapshot.Meta{Key: k, ParentID: old.ID}, bytes.NewReader(owners("200")))
			if err != nil {
				t.Fatal(err)
			}
			if err := mem.Advance(ctx, k, "", head.ID); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "export.json")
			if err := os.WriteFile(path, owners("300.5"), 0o600); err != nil {
				t.Fatal(err)
			}
			m, err := clariwatch.NewMonitor(clariwatch.Config{
				Source: &clariwatch.FileSource{Path: path}, Store: &staleHeadStore{Store: mem, stale: old},
				ForecastID: "net_bookings", Period: period,
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := m.Tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.HeadID != head.ID || len(res.Report.Changes) != 1 {
				t.Fatalf("Tick() head %s with %d changes, want head %s with 1 change", res.HeadID, len(res.Report.Changes), head.ID)
			}
			want := diff.MustParseAmount("200")
			if got := res.Report.Changes[0].Previous; got == nil || got.Cmp(want) != 0 {
				t.Errorf("Tick() change from %v, want from %v (the head under the lock)", got, want)
			}
		})
	}
}

// wrappedSource hides a FileSource's type, so that the tick fetches
// through Fetch and converts the full Export.
type wrappedSource struct{ clariwatch.Source }

// TestTickOwnerRowsPathMatchesExport checks that a tick on per-owner files
// reports the same changes whether it reads them straight to rows or
// through the full Export, for the common form and for files that the
// direct path does not take.
func TestTickOwnerRowsPathMatchesExport(t *testing.T) {
	tests := []struct{ name, prev, curr string }{
		{name: "common form",
			prev: `{"period":"2026_Q4","entries":[{"ownerEmail":"Ana@Example.com","ownerName":"Ana","forecastAmount":100},` +
				`{"ownerEmail":"bo@example.com","ownerName":"Bo","forecastAmount":50},{"ownerId":"7","forecastAmount":1}]}`,
			curr: `{"period":"2026_Q4","entries":[{"ownerEmail":"ana@example.com","ownerName":"Ana","forecastAmount":150.25},` +
				`{"ownerEmail":"cy@example.com","ownerName":"Cy","forecastAmount":20},{"ownerId":"7","forecastAmount":1}]}`},
		{name: "null and string amounts",
			prev: `{"period":"2026_Q4","entries":[{"ownerEmail":"ana@example.com","forecastAmount":"100"},` +
				`{"ownerEmail":"bo@example.com","forecastAmount":null}]}`,
			curr: `{"period":"2026_Q4","entries":[{"ownerEmail":"ana@example.com","forecastAmount":300},` +
				`{"ownerEmail":"bo@example.com","forecastAmount":70}]}`},
	}
	for _, tt := range tests {
		for _, storeKind := range []string{"memory", "file"} {
			t.Run(tt.name+"/"+storeKind, func(t *testing.T) {
				checkOwnerPaths(t, tt.prev, tt.curr, storeKind)
			})
		}
	}
}

// checkOwnerPaths runs two ticks, on the per-owner files prev and curr,
// once through the direct path and once through the full Export, on a
// new store of storeKind, and compares the reports. A file store lends
// the head through a mapping that is gone after the tick, so reading the
// report's strings afterwards also checks that the tick copied them.
func checkOwnerPaths(t *testing.T, prevJSON, currJSON, storeKind string) {
	t.Helper()
	var reports []*diff.Report
	for _, wrap := range []bool{false, true} {
		ctx := t.Context()
		dir := t.TempDir()
		prev, curr := filepath.Join(dir, "prev.json"), filepath.Join(dir, "curr.json")
		if err := os.WriteFile(prev, []byte(prevJSON), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(curr, []byte(currJSON), 0o600); err != nil {
			t.Fatal(err)
		}
		src := &clariwatch.FileSource{Path: prev}
		var s clariwatch.Source = src
		if wrap {
			s = wrappedSource{src}
		}
		var store snapshot.Store = snapshot.NewMemoryStore()
		if storeKind == "file" {
			fs, err := snapshot.OpenFileStore(ctx, filepath.Join(dir, "store"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fs.Close() })
			store = fs
		}
		m, err := clariwatch.NewMonitor(clariwatch.Config{Source: s, Store: store, ForecastID: "f"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Tick(ctx); err != nil {
			t.Fatalf("baseline tick (wrapped %t): %v", wrap, err)
		}
		src.Path = curr
		res, err := m.Tick(ctx)
		if err != nil {
			t.Fatalf("second tick (wrapped %t): %v", wrap, err)
		}
		reports = append(reports, res.Report)
	}
	if len(reports[0].Changes) == 0 {
		t.Fatal("no changes: the test compares nothing")
	}
	if d := cmp.Diff(reports[1], reports[0], cmp.Comparer(func(a, b diff.Amount) bool { return a.Cmp(b) == 0 })); d != "" {
		t.Errorf("report differs between the Export path and the direct path (-export +direct):\n%s", d)
	}
}

func TestLeadingPeriodGuessWrong(t *testing.T) {
	ctx := t.Context()
	mem := snapshot.NewMemoryStore()

	// Both streams have a head, so the early comparison with the guessed
	// stream's head runs to the end before the tick throws it away.
	for period, amount := range map[string]string{"2026_Q3": "1", "2026_Q4": "100"} {
		k := snapshot.Key{ForecastID: "f", TimePeriod: period}
		body := fmt.Appendf(nil, `{"period":%q,"entries":[{"ownerEmail":"ana@example.com","forecastAmount":%s}]}`, period, amount)
		m, err := mem.Put(ctx, snapshot.Meta{Key: k}, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := mem.Advance(ctx, k, "", m.ID); err != nil {
			t.Fatal(err)
		}
	}

	// The file names 2026_Q3 first, but every entry is in 2026_Q4.
	path := filepath.Join(t.TempDir(), "export.json")
	body := `{"period":"2026_Q3","entries":[{"ownerEmail":"ana@example.com","period":"2026_Q4","forecastAmount":150}]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	m, err := clariwatch.NewMonitor(clariwatch.Config{Source: &clariwatch.FileSource{Path: path}, Store: mem, ForecastID: "f"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stream.TimePeriod != "2026_Q4" || len(res.Report.Changes) != 1 {
		t.Fatalf("Tick() stream %s with %d changes, want 2026_Q4 with 1 change", res.Stream, len(res.Report.Changes))
	}
	if got, want := res.Report.Changes[0].Previous, diff.MustParseAmount("100"); got == nil || got.Cmp(want) != 0 {
		t.Errorf("Tick() change from %v, want from %v, the head of 2026_Q4", got, want)
	}
}
