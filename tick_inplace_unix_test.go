//go:build unix

package clariwatch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
)

// sameSizeOwners returns a per-owner export of n owners whose size does
// not depend on version, so that writing one version over another in
// place, whole or in part, leaves a valid export. Every fifth owner's
// amount depends on version.
func sameSizeOwners(n, version int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"period":"2026_Q4","entries":[`)
	for k := range n {
		i := (k * 7919) % n
		cents := 100_000 + i*37%900_000
		if (i+version)%5 == 0 {
			cents = cents * (100 + 15*version) / 100
		}
		if k > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"ownerEmail":"rep%07d@example.com","ownerName":"Rep %07d","forecastAmount":%10d.%02d}`,
			i, i, cents/100, cents%100)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// storedRows returns the rows of a stored export body.
func storedRows(t *testing.T, body []byte) []diff.Row {
	t.Helper()
	if rows, ok := (clari.ReadOptions{}).ReadOwnerRows(body); ok {
		return rows
	}
	exp, err := clari.ReadOptions{}.Read(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("a stored body does not decode: %v", err)
	}
	rows, err := exp.Rows()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// inPlaceWriter changes the export file at path in place until ctx is
// done: it writes a version over the whole file or over a part of it,
// shrinks the file and writes it back, or renames a new file over it.
// After each change it sets the modification time an hour back, so that
// the next tick maps the file.
func inPlaceWriter(ctx context.Context, path string, versions [][]byte) {
	rng := rand.New(rand.NewPCG(5, 6))
	size := len(versions[0])
	old := time.Now().Add(-time.Hour)
	for ctx.Err() == nil {
		src := versions[rng.IntN(len(versions))]
		switch rng.IntN(4) {
		case 0, 1, 2:
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				continue
			}
			switch rng.IntN(3) {
			case 0:
				f.WriteAt(src, 0)
			case 1:
				off := rng.IntN(size - size/4)
				f.WriteAt(src[off:off+rng.IntN(size/4)], int64(off))
			case 2:
				f.Truncate(int64(rng.IntN(size)))
				f.WriteAt(src, 0)
			}
			f.Close()
		case 3:
			tmp := path + ".tmp"
			if os.WriteFile(tmp, src, 0o600) == nil {
				os.Chtimes(tmp, old, old)
				os.Rename(tmp, path)
			}
		}
		os.Chtimes(path, old, old)
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
	}
}

// TestTickExportFileWrittenRepeatedly ticks while another goroutine keeps
// writing the mapped export file in place. Every tick must either fail
// with a *clari.FileError that names the file and keep the head, or
// advance to a stored head whose comparison with the previous head is
// the tick's report.
func TestTickExportFileWrittenRepeatedly(t *testing.T) {
	// 20,000 rows keep each tick short, also under the race detector.
	const n = 20_000
	var versions [][]byte
	for v := range 4 {
		versions = append(versions, sameSizeOwners(n, v))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "export.json")
	writeTestFile(t, path, versions[0])
	makeOld(t, path)
	store, err := snapshot.OpenFileStore(t.Context(), filepath.Join(dir, "store"), nil)
	if err != nil {
		t.Fatal(err)
	}
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:           &clariwatch.FileSource{Path: path},
		Store:            store,
		ForecastID:       "net_bookings",
		CacheDir:         filepath.Join(dir, "cache"),
		MaxMissingOwners: 1,
		Keep:             4,
		Logger:           slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mon.Tick(t.Context()); err != nil {
		t.Fatalf("baseline tick: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { inPlaceWriter(ctx, path, versions) })
	defer func() {
		cancel()
		wg.Wait()
	}()

	k := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
	succeeded, failed := 0, 0
	for i := range 60 {
		before, err := store.Head(t.Context(), k)
		if err != nil {
			t.Fatalf("tick %d: head before: %v", i, err)
		}
		res, tickErr := mon.Tick(t.Context())
		after, err := store.Head(t.Context(), k)
		if err != nil {
			t.Fatalf("tick %d: head after: %v", i, err)
		}
		if tickErr != nil {
			failed++
			var fileErr *clari.FileError
			if !errors.As(tickErr, &fileErr) || !strings.Contains(tickErr.Error(), path) {
				t.Errorf("tick %d: error %v, want a *clari.FileError that names %s", i, tickErr, path)
			}
			if after.ID != before.ID {
				t.Fatalf("tick %d failed but moved the head from %s to %s: %v", i, before.ID, after.ID, tickErr)
			}
			continue
		}
		succeeded++
		if !res.Advanced || after.ID != res.SnapshotID {
			t.Fatalf("tick %d succeeded, but the head is %s, want its snapshot %s", i, after.ID, res.SnapshotID)
		}
		_, headBody, err := store.Get(t.Context(), after.ID)
		if err != nil {
			t.Fatalf("tick %d: the new head cannot be read: %v", i, err)
		}
		_, prevBody, err := store.Get(t.Context(), before.ID)
		if err != nil {
			t.Fatalf("tick %d: the previous head cannot be read: %v", i, err)
		}
		if res.Unchanged {
			if !bytes.Equal(prevBody, headBody) {
				t.Errorf("tick %d reported an unchanged export, but the stored bodies differ", i)
			}
			continue
		}
		want, err := diff.Compute(storedRows(t, prevBody), storedRows(t, headBody), nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want.Changes, res.Report.Changes); d != "" {
			t.Errorf("tick %d: the report is not the comparison of the stored heads (-want +got):\n%.3000s", i, d)
		}
	}
	t.Logf("ticks: %d succeeded, %d failed", succeeded, failed)
}
