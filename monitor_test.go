package clariwatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// readExport returns examples/testdata/export-n.json.
func readExport(t testing.TB, n int) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("examples", "testdata", fmt.Sprintf("export-%d.json", n)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recorder is a notifier that records messages and fails while fail is set.
type recorder struct {
	mu   sync.Mutex
	msgs []*notify.Message
	fail error
}

func (r *recorder) Notify(ctx context.Context, m *notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// fileSetup is a monitor on a FileSource whose file the test rewrites.
type fileSetup struct {
	path  string
	store *snapshot.MemoryStore
	rec   *recorder
	mon   *clariwatch.Monitor
	logs  *bytes.Buffer
}

func newFileSetup(t *testing.T, mutate func(*clariwatch.Config)) *fileSetup {
	t.Helper()
	s := &fileSetup{
		path:  filepath.Join(t.TempDir(), "export.json"),
		store: snapshot.NewMemoryStore(),
		rec:   &recorder{},
		logs:  &bytes.Buffer{},
	}
	cfg := clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: s.path, Period: "2026_Q4"},
		Store:      s.store,
		Notifier:   s.rec,
		ForecastID: "net_bookings",
		Logger:     slog.New(slog.NewTextHandler(s.logs, nil)),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	mon, err := clariwatch.NewMonitor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.mon = mon
	return s
}

// tick writes body to the source file and runs one tick.
func (s *fileSetup) tick(t *testing.T, body []byte) (*clariwatch.Result, error) {
	t.Helper()
	if err := os.WriteFile(s.path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return s.mon.Tick(t.Context())
}

func (s *fileSetup) headID(t *testing.T, k snapshot.Key) string {
	t.Helper()
	h, err := s.store.Head(t.Context(), k)
	if errors.Is(err, snapshot.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return h.ID
}

type changeLine struct {
	Email, Field string
	Kind         diff.Kind
}

func changeLines(r *diff.Report) []changeLine {
	var out []changeLine
	for _, c := range r.Changes {
		out = append(out, changeLine{strings.ToLower(c.Email), c.Field, c.Kind})
	}
	return out
}

func TestTickBaselineThenAlerts(t *testing.T) {
	s := newFileSetup(t, nil)
	stream := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}

	res, err := s.tick(t, readExport(t, 1))
	if err != nil {
		t.Fatalf("tick 1: %v", err)
	}
	if !res.Baseline || !res.Advanced || res.Notified {
		t.Errorf("tick 1: baseline=%v advanced=%v notified=%v, want true true false", res.Baseline, res.Advanced, res.Notified)
	}
	if diff := cmp.Diff(stream, res.Stream); diff != "" {
		t.Errorf("stream (-want +got):\n%s", diff)
	}
	if got := s.headID(t, stream); got != res.SnapshotID {
		t.Errorf("head after baseline = %q, want %q", got, res.SnapshotID)
	}

	first := res.SnapshotID
	res, err = s.tick(t, readExport(t, 2))
	if err != nil {
		t.Fatalf("tick 2: %v", err)
	}
	want := []changeLine{
		{"diego.alvarez@example.com", "commit", diff.KindToZero},
		{"ethan.brooks@example.com", "closed", diff.KindChanged},
		{"grace.kim@example.com", "best_case", diff.KindChanged},
		{"marcus.bell@example.com", "commit", diff.KindChanged},
		{"owen.fischer@example.com", "pipeline", diff.KindChanged},
		{"priya.natarajan@example.com", "commit", diff.KindFromZero},
	}
	got := changeLines(res.Report)
	sortLines(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tick 2 changes (-want +got):\n%s", diff)
	}
	if res.HeadID != first || !res.Notified || !res.Advanced {
		t.Errorf("tick 2: head=%q notified=%v advanced=%v, want %q true true", res.HeadID, res.Notified, res.Advanced, first)
	}
	if n := s.rec.count(); n != 1 {
		t.Fatalf("messages after tick 2 = %d, want 1", n)
	}
	snap, _, err := s.store.Get(t.Context(), res.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	wantKey := stream.String() + ":" + first + ":" + snap.SHA256
	if got := s.rec.msgs[0].Key; got != wantKey {
		t.Errorf("message key = %q, want %q", got, wantKey)
	}

	res, err = s.tick(t, readExport(t, 3))
	if err != nil {
		t.Fatalf("tick 3: %v", err)
	}
	if n := len(res.Report.Changes); n != 11 {
		t.Errorf("tick 3 changes = %d, want 11", n)
	}
	kinds := map[diff.Kind]int{}
	for _, c := range res.Report.Changes {
		kinds[c.Kind]++
	}
	if kinds[diff.KindAdded] != 4 || kinds[diff.KindRemoved] != 4 {
		t.Errorf("tick 3 kinds = %v, want 4 added and 4 removed", kinds)
	}

	res, err = s.tick(t, readExport(t, 4))
	if err != nil {
		t.Fatalf("tick 4: %v", err)
	}
	if len(res.Report.Changes) != 0 || res.Notified || !res.Advanced {
		t.Errorf("tick 4: changes=%d notified=%v advanced=%v, want 0 false true",
			len(res.Report.Changes), res.Notified, res.Advanced)
	}
	if n := s.rec.count(); n != 2 {
		t.Errorf("messages after tick 4 = %d, want 2", n)
	}
	if got := s.headID(t, stream); got != res.SnapshotID {
		t.Errorf("head after tick 4 = %q, want %q", got, res.SnapshotID)
	}
}

func sortLines(l []changeLine) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && l[j].Email < l[j-1].Email; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}

func TestTickEmailCaseIsNoChange(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) {
		c.Diff = &diff.Options{Threshold: diff.Threshold{Percent: new(diff.MustParseAmount("0.000001"))}}
	})
	if _, err := s.tick(t, readExport(t, 1)); err != nil {
		t.Fatal(err)
	}
	res, err := s.tick(t, readExport(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Report.Changes {
		if strings.EqualFold(c.Email, "ana.reyes@example.com") {
			t.Errorf("change for the re-cased email: %+v", c)
		}
	}
	if len(res.Report.Changes) != 9 {
		t.Errorf("changes at any threshold = %d, want 9", len(res.Report.Changes))
	}
}

func TestTickNotifierFailureKeepsHead(t *testing.T) {
	s := newFileSetup(t, nil)
	stream := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
	base, err := s.tick(t, readExport(t, 1))
	if err != nil {
		t.Fatal(err)
	}

	s.rec.fail = errors.New("slack: 500 rollup_error")
	res, err := s.tick(t, readExport(t, 2))
	if err == nil {
		t.Fatal("tick with a failing notifier returned nil error")
	}
	if res == nil || res.Advanced || res.Notified {
		t.Fatalf("failed tick result = %+v, want not advanced and not notified", res)
	}
	if got := s.headID(t, stream); got != base.SnapshotID {
		t.Errorf("head after failed notify = %q, want the baseline %q", got, base.SnapshotID)
	}

	failedKey := res.Message.Key

	s.rec.fail = nil
	res, err = s.tick(t, readExport(t, 2))
	if err != nil {
		t.Fatalf("retried tick: %v", err)
	}
	if res.Message.Key != failedKey {
		t.Errorf("retried tick key = %q, want the failed tick's %q so receivers drop repeats", res.Message.Key, failedKey)
	}
	if res.HeadID != base.SnapshotID || len(res.Report.Changes) != 6 || !res.Notified {
		t.Errorf("retried tick: head=%q changes=%d notified=%v, want %q 6 true",
			res.HeadID, len(res.Report.Changes), res.Notified, base.SnapshotID)
	}
	if got := s.headID(t, stream); got != res.SnapshotID {
		t.Errorf("head after retry = %q, want %q", got, res.SnapshotID)
	}
}

// ownersJSON returns a per-owner export of n owners, each with amount.
func ownersJSON(period string, n int, amount string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"period":%q,"entries":[`, period)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ownerEmail":"rep%d@example.com","ownerName":"Rep %d","forecastAmount":%s}`, i, i, amount)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func TestTickPartialExportGuard(t *testing.T) {
	tests := []struct {
		name    string
		owners  int
		wantErr bool
	}{
		{"half missing passes", 5, false},
		{"six of ten missing", 4, true},
		{"all missing", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFileSetup(t, func(c *clariwatch.Config) { c.Period = "2026_Q4" })
			stream := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
			base, err := s.tick(t, ownersJSON("2026_Q4", 10, "100"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.tick(t, ownersJSON("2026_Q4", tt.owners, "500"))
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("tick: %v", err)
				}
				return
			}
			var sus *clariwatch.SuspiciousExportError
			if !errors.As(err, &sus) || !errors.Is(err, clariwatch.ErrSuspiciousExport) {
				t.Fatalf("tick error = %v, want a *SuspiciousExportError", err)
			}
			if sus.HeadOwners != 10 || sus.Missing != 10-tt.owners {
				t.Errorf("counts = %d of %d, want %d of 10", sus.Missing, sus.HeadOwners, 10-tt.owners)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("lacks %d of the 10 owners", 10-tt.owners)) {
				t.Errorf("error %q does not name the counts", err)
			}
			if res.Advanced || s.rec.count() != 0 {
				t.Errorf("advanced=%v messages=%d, want false 0", res.Advanced, s.rec.count())
			}
			if got := s.headID(t, stream); got != base.SnapshotID {
				t.Errorf("head = %q, want the baseline %q", got, base.SnapshotID)
			}
		})
	}
}

func TestTickGuardLimitConfigurable(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) { c.MaxMissingOwners = 1 })
	if _, err := s.tick(t, ownersJSON("2026_Q4", 10, "100")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.tick(t, ownersJSON("2026_Q4", 1, "100")); err != nil {
		t.Fatalf("tick with the check off: %v", err)
	}
}

func TestTickNewPeriodIsNewStream(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) {
		c.Source = &clariwatch.FileSource{Path: c.Source.(*clariwatch.FileSource).Path}
	})
	if _, err := s.tick(t, ownersJSON("2026_Q4", 3, "100")); err != nil {
		t.Fatal(err)
	}
	res, err := s.tick(t, ownersJSON("2027_Q1", 3, "900"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Baseline || res.Stream.TimePeriod != "2027_Q1" {
		t.Errorf("new period: baseline=%v period=%q, want true 2027_Q1", res.Baseline, res.Stream.TimePeriod)
	}
}

func TestTickPeriodMismatch(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) { c.Period = "2027_Q1" })
	_, err := s.tick(t, readExport(t, 1))
	if err == nil || !strings.Contains(err.Error(), "2027_Q1") {
		t.Fatalf("tick on a 2026_Q4 export for period 2027_Q1 = %v, want a period mismatch", err)
	}
}

func TestTickUnchangedExport(t *testing.T) {
	s := newFileSetup(t, nil)
	if _, err := s.tick(t, readExport(t, 1)); err != nil {
		t.Fatal(err)
	}
	res, err := s.tick(t, readExport(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Unchanged || !res.Advanced || res.Notified {
		t.Errorf("unchanged=%v advanced=%v notified=%v, want true true false", res.Unchanged, res.Advanced, res.Notified)
	}
}

func TestTickDryRunWritesNothing(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) { c.DryRun = true })
	stream := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
	res, err := s.tick(t, readExport(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Baseline || !res.DryRun || res.Advanced || res.SnapshotID != "" {
		t.Errorf("dry run: %+v, want baseline, not advanced, no snapshot", res)
	}
	list, err := s.store.List(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("dry run stored %d snapshots, want 0", len(list))
	}
}

// storeFiles lists every path under dir, so that a test can check that a
// run created, removed or renamed nothing.
func storeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestTickDryRunLeavesFileStoreUntouched(t *testing.T) {
	dir := t.TempDir()
	store, err := snapshot.OpenFileStore(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	path := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(path, readExport(t, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: path},
		Store:      store,
		ForecastID: "net_bookings",
		DryRun:     true,
	})
	if err != nil {
		t.Fatal(err)
	}

	before := storeFiles(t, dir)
	res, err := mon.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Baseline || res.Advanced {
		t.Errorf("dry run: baseline=%v advanced=%v, want true false", res.Baseline, res.Advanced)
	}
	if diff := cmp.Diff(before, storeFiles(t, dir)); diff != "" {
		t.Errorf("dry run changed the store directory (-before +after):\n%s", diff)
	}
}

func TestTickInvalidExport(t *testing.T) {
	s := newFileSetup(t, nil)
	res, err := s.tick(t, []byte(`{"entries": [`))
	if err == nil || res != nil {
		t.Fatalf("tick on a truncated export = %v, %v; want nil result and an error", res, err)
	}
	if !strings.Contains(err.Error(), "export.json") {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestResultJSON(t *testing.T) {
	s := newFileSetup(t, nil)
	if _, err := s.tick(t, readExport(t, 1)); err != nil {
		t.Fatal(err)
	}
	res, err := s.tick(t, readExport(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Baseline *bool            `json:"baseline"`
		Changes  []map[string]any `json:"changes"`
		Summary  *diff.Summary    `json:"summary"`
		Stream   map[string]any   `json:"stream"`
		HeadID   string           `json:"headId"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Baseline == nil || *got.Baseline {
		t.Errorf("baseline = %v, want false", got.Baseline)
	}
	if len(got.Changes) != 6 || got.Changes[0]["kind"] == nil {
		t.Errorf("changes = %v, want 6 change objects", got.Changes)
	}
	if got.Summary == nil || got.Summary.Changed != 6 {
		t.Errorf("summary = %+v, want changed 6", got.Summary)
	}
	if got.Stream["forecastId"] != "net_bookings" || got.Stream["period"] != "2026_Q4" {
		t.Errorf("stream = %v, want forecastId net_bookings and period 2026_Q4", got.Stream)
	}
	if got.HeadID == "" {
		t.Errorf("headId is empty in %s", b)
	}
	var back struct {
		Changes []diff.Change `json:"changes"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(res.Report.Changes, back.Changes); d != "" {
		t.Errorf("changes decoded from the JSON differ from the report's (-report +decoded):\n%s", d)
	}

	empty, err := json.Marshal(&clariwatch.Result{Baseline: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(empty, []byte(`"changes":[]`)) {
		t.Errorf("baseline JSON %s lacks \"changes\":[]", empty)
	}
}

func TestNewMonitorInvalidConfig(t *testing.T) {
	src := &clariwatch.FileSource{Path: "x.json"}
	store := snapshot.NewMemoryStore()
	tests := []struct {
		name string
		cfg  clariwatch.Config
		want string
	}{
		{"no source", clariwatch.Config{Store: store, ForecastID: "f"}, "Source"},
		{"no store", clariwatch.Config{Source: src, ForecastID: "f"}, "Store"},
		{"no forecast", clariwatch.Config{Source: src, Store: store}, "ForecastID"},
		{"share above one", clariwatch.Config{Source: src, Store: store, ForecastID: "f", MaxMissingOwners: 1.5}, "MaxMissingOwners"},
		{"share NaN", clariwatch.Config{Source: src, Store: store, ForecastID: "f", MaxMissingOwners: math.NaN()}, "MaxMissingOwners"},
		{"slash in scope", clariwatch.Config{Source: src, Store: store, ForecastID: "f", Scope: "a/b"}, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := clariwatch.NewMonitor(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewMonitor = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestTickConcurrentInProcess(t *testing.T) {
	s := newFileSetup(t, nil)
	if _, err := s.tick(t, readExport(t, 1)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path, readExport(t, 2), 0o600); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := s.mon.Tick(t.Context())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("tick: %v", err)
		}
	}
	if n := s.rec.count(); n != 1 {
		t.Errorf("messages from 4 concurrent ticks = %d, want 1", n)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFileSourceSizeLimit(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(big, readExport(t, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	paths := []string{big}
	if _, err := os.Stat("/dev/zero"); err == nil {
		// A device never ends, so only the limit stops the read.
		paths = append(paths, "/dev/zero")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src := &clariwatch.FileSource{Path: path, MaxSize: 1000}
			_, err := src.Fetch(t.Context(), clariwatch.FetchRequest{})
			if !errors.Is(err, clari.ErrTooLarge) {
				t.Fatalf("Fetch of %s with MaxSize 1000 = %v, want clari.ErrTooLarge", path, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestResultJSONNonFinitePercent(t *testing.T) {
	nan := math.NaN()
	res := &clariwatch.Result{Report: &diff.Report{Changes: []diff.Change{{Kind: diff.KindChanged, Percent: &nan}}}}
	if b, err := res.MarshalJSON(); err == nil {
		t.Fatalf("MarshalJSON with a NaN percent = %s, want an error", b)
	}
}
