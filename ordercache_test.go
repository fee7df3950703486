package clariwatch_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
)

// cacheSetup is a monitor on a FileSource and a FileStore with a cache
// directory.
type cacheSetup struct {
	dir, path, cache string
	logs             *bytes.Buffer
	mon              *clariwatch.Monitor
}

func newCacheSetup(t *testing.T, dryRun bool) *cacheSetup {
	t.Helper()
	dir := t.TempDir()
	s := &cacheSetup{
		dir:   dir,
		path:  filepath.Join(dir, "export.json"),
		cache: filepath.Join(dir, "cache"),
		logs:  &bytes.Buffer{},
	}
	store, err := snapshot.OpenFileStore(t.Context(), filepath.Join(dir, "store"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.mon, err = clariwatch.NewMonitor(clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: s.path},
		Store:      store,
		ForecastID: "net_bookings",
		CacheDir:   s.cache,
		DryRun:     dryRun,
		Logger:     slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *cacheSetup) tick(t *testing.T, body []byte) *clariwatch.Result {
	t.Helper()
	if err := os.WriteFile(s.path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	s.logs.Reset()
	res, err := s.mon.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// orderFiles returns the paths of the order files under the cache.
func (s *cacheSetup) orderFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.cache, "*", "order-*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// shuffledOwners returns a per-owner export of n owners in the order
// of k × step mod n for k from 0, which for a step prime to n lists each
// owner once and is not sorted by email. Every owner has amount, but every
// seventh has changed.
func shuffledOwners(n, step int, amount, changed string) []byte {
	var b strings.Builder
	b.WriteString(`{"period":"2026_Q4","entries":[`)
	for k := range n {
		i := (k * step) % n
		a := amount
		if i%7 == 0 {
			a = changed
		}
		if k > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ownerEmail":"rep%d@example.com","ownerName":"Rep %d","forecastAmount":%s}`, i, i, a)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// changesWithoutCache returns the changes of the second export against
// the first, from a monitor without a cache.
func changesWithoutCache(t *testing.T, first, second []byte) []diff.Change {
	t.Helper()
	s := newFileSetup(t, nil)
	if _, err := s.tick(t, first); err != nil {
		t.Fatal(err)
	}
	res, err := s.tick(t, second)
	if err != nil {
		t.Fatal(err)
	}
	return res.Report.Changes
}

func TestOrderCacheUsedForHead(t *testing.T) {
	first, second := shuffledOwners(3000, 7919, "100", "100"), shuffledOwners(3000, 7919, "100", "150")
	s := newCacheSetup(t, false)
	s.tick(t, first)
	if files := s.orderFiles(t); len(files) != 1 {
		t.Fatalf("order files after the baseline = %v, want one", files)
	}
	res := s.tick(t, second)
	if !strings.Contains(s.logs.String(), "cached row order of the head used") {
		t.Errorf("the second tick did not use the cached order; logs:\n%s", s.logs)
	}
	want := changesWithoutCache(t, first, second)
	if d := cmp.Diff(want, res.Report.Changes); d != "" {
		t.Errorf("changes differ from those without a cache (-want +got):\n%s", d)
	}
	if len(want) == 0 {
		t.Fatal("the exports differ in no amount, so the test compares nothing")
	}
}

func TestOrderCacheDamaged(t *testing.T) {
	first, second := shuffledOwners(2000, 7919, "100", "100"), shuffledOwners(2000, 7919, "100", "150")
	want := changesWithoutCache(t, first, second)
	tests := []struct {
		name   string
		damage func(t *testing.T, path string, s *cacheSetup)
		log    string
	}{
		{"flipped byte", func(t *testing.T, path string, _ *cacheSetup) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-3] ^= 0x40
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "cached row order ignored"},
		{"truncated", func(t *testing.T, path string, _ *cacheSetup) {
			if err := os.Truncate(path, 10); err != nil {
				t.Fatal(err)
			}
		}, "cached row order ignored"},
		{"order of another export", func(t *testing.T, path string, _ *cacheSetup) {
			// A well-formed order file of as many rows, from an export in
			// another order: the tick must find that it does not fit.
			other := newCacheSetup(t, false)
			other.tick(t, shuffledOwners(2000, 7, "100", "100"))
			files := other.orderFiles(t)
			if len(files) != 1 {
				t.Fatalf("order files of the other export = %v, want one", files)
			}
			b, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "does not fit the head"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCacheSetup(t, false)
			s.tick(t, first)
			files := s.orderFiles(t)
			if len(files) != 1 {
				t.Fatalf("order files after the baseline = %v, want one", files)
			}
			tt.damage(t, files[0], s)
			res := s.tick(t, second)
			if !strings.Contains(s.logs.String(), tt.log) {
				t.Errorf("logs lack %q:\n%s", tt.log, s.logs)
			}
			if d := cmp.Diff(want, res.Report.Changes); d != "" {
				t.Errorf("changes differ from those without a cache (-want +got):\n%s", d)
			}
		})
	}
}

func TestOrderCacheKeepsHeadAndNewest(t *testing.T) {
	s := newCacheSetup(t, false)
	var last *clariwatch.Result
	var stale string
	for i := range 5 {
		last = s.tick(t, shuffledOwners(500, 7919, "100", fmt.Sprint(200+i)))
		if i == 0 {
			// A temporary file that a crash left beside the order files.
			stale = filepath.Join(filepath.Dir(s.orderFiles(t)[0]), ".tmp-order-crashed")
			if err := os.WriteFile(stale, []byte("partial"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the temporary file that a crash left is still there: stat = %v", err)
	}
	files := s.orderFiles(t)
	if len(files) > 2 {
		t.Errorf("order files after 5 ticks = %v, want at most the head's and the newest", files)
	}
	found := false
	for _, f := range files {
		found = found || strings.Contains(filepath.Base(f), snapshotSHA(t, s, last))
	}
	if !found {
		t.Errorf("order files %v lack the newest snapshot's", files)
	}
}

// snapshotSHA returns the SHA-256 of the snapshot that res stored.
func snapshotSHA(t *testing.T, s *cacheSetup, res *clariwatch.Result) string {
	t.Helper()
	store, err := snapshot.OpenFileStore(t.Context(), filepath.Join(s.dir, "store"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := store.Head(t.Context(), res.Stream)
	if err != nil {
		t.Fatal(err)
	}
	return m.SHA256
}

func TestOrderCacheDryRunWritesNothing(t *testing.T) {
	s := newCacheSetup(t, true)
	s.tick(t, shuffledOwners(500, 7919, "100", "100"))
	if _, err := os.Stat(s.cache); !os.IsNotExist(err) {
		t.Errorf("a dry run created the cache directory: stat = %v", err)
	}
}

func TestOrderCacheUnwritable(t *testing.T) {
	s := newCacheSetup(t, false)
	// A file where the cache directory should be makes every write fail.
	if err := os.WriteFile(s.cache, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s.tick(t, shuffledOwners(500, 7919, "100", "100"))
	if !strings.Contains(s.logs.String(), "cache row order failed") {
		t.Errorf("logs lack the failed cache write:\n%s", s.logs)
	}
	res := s.tick(t, shuffledOwners(500, 7919, "100", "150"))
	if !res.Advanced || len(res.Report.Changes) == 0 {
		t.Errorf("second tick: advanced %t with %d changes, want it to advance with changes",
			res.Advanced, len(res.Report.Changes))
	}
}

// writeTestFile writes b to path and fails the test on error.
func writeTestFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
