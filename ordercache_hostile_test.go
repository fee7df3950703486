//go:build linux || darwin || freebsd || netbsd || openbsd

package clariwatch_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/snapshot"
)

// orderFileBytes returns an order file that claims n rows and contains
// the indexes of order with a matching CRC-32. The file is the magic
// line, n and the CRC-32 (IEEE) of the indexes, then the indexes, all
// numbers as little-endian uint32.
func orderFileBytes(n uint32, order []uint32) []byte {
	data := make([]byte, 4*len(order))
	for i, v := range order {
		binary.LittleEndian.PutUint32(data[4*i:], v)
	}
	b := []byte("clariwatch row order 1\n")
	b = binary.LittleEndian.AppendUint32(b, n)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(data))
	return append(b, data...)
}

// TestOrderCacheHostileFiles replaces the head's order file by files
// whose CRC-32 is right but whose indexes are not the head's order, and
// by things that are not regular files. Each tick must give the changes
// of a tick without a cache, and a later tick must leave only the
// head's and the newest order files.
func TestOrderCacheHostileFiles(t *testing.T) {
	const n = 2000
	first, second := shuffledOwners(n, 7919, "100", "100"), shuffledOwners(n, 7919, "100", "150")
	want := changesWithoutCache(t, first, second)
	table, ok := clari.ReadOptions{}.ReadOwnerTable(first)
	if !ok {
		t.Fatal("ReadOwnerTable did not take the first export")
	}
	// withOrder returns an order file of the head's order changed by f.
	withOrder := func(f func(o []uint32) []uint32) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			o := f(table.Order())
			writeTestFile(t, path, orderFileBytes(uint32(len(o)), o))
		}
	}
	tests := []struct {
		name    string
		replace func(t *testing.T, path string)
		log     string // a line the second tick logs
	}{
		{"index repeated", withOrder(func(o []uint32) []uint32 { o[5] = o[4]; return o }), "cached row order ignored"},
		{"index out of range", withOrder(func(o []uint32) []uint32 { o[n-1] = 1 << 31; return o }), "cached row order ignored"},
		{"file order", withOrder(func(o []uint32) []uint32 {
			for i := range o {
				o[i] = uint32(i)
			}
			return o
		}), "cached row order ignored"},
		{"one row short", withOrder(func(o []uint32) []uint32 { return o[:n-1] }), "cached row order ignored"},
		{"row count below the indexes", func(t *testing.T, path string) {
			writeTestFile(t, path, orderFileBytes(5, table.Order()))
		}, "cached row order ignored"},
		{"row count of 2^32-1", func(t *testing.T, path string) {
			writeTestFile(t, path, orderFileBytes(1<<32-1, table.Order()))
		}, "cached row order ignored"},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "cached row order ignored"},
		{"symbolic link loop", func(t *testing.T, path string) {
			if err := os.Symlink(path, path); err != nil {
				t.Skipf("symlink: %v", err)
			}
		}, "cached row order ignored"},
		{"dangling symbolic link", func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(path), "missing"), path); err != nil {
				t.Skipf("symlink: %v", err)
			}
		}, "used"},
		{"FIFO", func(t *testing.T, path string) {
			// Opening a FIFO for reading blocks until a writer opens it,
			// and the tick holds the stream's lock meanwhile.
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, "cached row order ignored"},
		{"endless device", func(t *testing.T, path string) {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skip("no /dev/zero")
			}
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Skipf("symlink: %v", err)
			}
		}, "cached row order ignored"},
		{"stream directory is a file", func(t *testing.T, path string) {
			dir := filepath.Dir(path)
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			writeTestFile(t, dir, nil)
		}, "cached row order ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCacheSetup(t, false)
			s.tick(t, first)
			files := s.orderFiles(t)
			if len(files) != 1 {
				t.Fatalf("order files after the baseline = %v, want one", files)
			}
			if err := os.Remove(files[0]); err != nil {
				t.Fatal(err)
			}
			tt.replace(t, files[0])

			res := s.tick(t, second)
			if d := cmp.Diff(want, res.Report.Changes); d != "" {
				t.Errorf("changes differ from those without a cache (-want +got):\n%s", d)
			}
			logs := s.logs.String()
			if tt.log == "used" {
				if strings.Contains(logs, "cached row order") {
					t.Errorf("a missing order file was logged:\n%s", logs)
				}
			} else if !strings.Contains(logs, tt.log) {
				t.Errorf("logs lack %q:\n%s", tt.log, logs)
			}

			third := s.tick(t, shuffledOwners(n, 7919, "100", "170"))
			if !third.Advanced {
				t.Fatal("the third tick did not advance the head")
			}
			entries, err := filepath.Glob(filepath.Join(s.cache, "*", "*"))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) > 2 {
				t.Errorf("cache entries after the third tick = %v, want at most the head's and the newest", entries)
			}
		})
	}
}

// mixedOwners returns a per-owner export of n owners, in random order,
// whose entries have an owner id and an email, an upper-case email, an
// email and no name, or an owner id only. With extra, it ends with an
// entry that sends it off the fast path of clari.ReadOptions.ReadOwnerTable:
// a name with an escape, or the first owner's email again in other case.
func mixedOwners(rng *rand.Rand, n int, extra bool) []byte {
	var b bytes.Buffer
	b.WriteString(`{"period":"2026_Q4","entries":[`)
	perm := rng.Perm(2 * n)[:n]
	for i, k := range perm {
		if i > 0 {
			b.WriteString(",")
		}
		amount := fmt.Sprintf("%d.%02d", 1000+rng.IntN(3)*100, rng.IntN(2)*50)
		switch k % 4 {
		case 0:
			fmt.Fprintf(&b, `{"ownerId":"u%d","ownerEmail":"U%d@Example.com","ownerName":"User %d","forecastAmount":%s}`, k, k, k, amount)
		case 1:
			fmt.Fprintf(&b, `{"ownerEmail":"REP%d@example.COM","ownerName":"Rep %d","forecastAmount":%s}`, k, k, amount)
		case 2:
			fmt.Fprintf(&b, `{"ownerEmail":"rep%d@example.com","forecastAmount":%s}`, k, amount)
		case 3:
			fmt.Fprintf(&b, `{"forecastAmount":%s,"ownerId":"%d"}`, amount, k)
		}
	}
	if extra {
		if rng.IntN(2) == 0 {
			b.WriteString(`,{"ownerEmail":"escape@example.com","ownerName":"O\u2019Neil","forecastAmount":5}`)
		} else {
			fmt.Fprintf(&b, `,{"ownerEmail":"REP%d@example.COM","forecastAmount":7}`, perm[0])
		}
	}
	b.WriteString("]}")
	return b.Bytes()
}

// cacheCompareMonitor is a monitor on a FileSource and a FileStore, with
// or without a cache directory, whose export file a tick maps.
type cacheCompareMonitor struct {
	path, cache string
	mon         *clariwatch.Monitor
}

func newCacheCompareMonitor(t *testing.T, cache bool) *cacheCompareMonitor {
	t.Helper()
	dir := t.TempDir()
	m := &cacheCompareMonitor{path: filepath.Join(dir, "export.json")}
	store, err := snapshot.OpenFileStore(t.Context(), filepath.Join(dir, "store"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := clariwatch.Config{
		Source:           &clariwatch.FileSource{Path: m.path},
		Store:            store,
		ForecastID:       "net_bookings",
		MaxMissingOwners: 1,
		Keep:             3,
		Logger:           slog.New(slog.DiscardHandler),
	}
	if cache {
		m.cache = filepath.Join(dir, "cache")
		cfg.CacheDir = m.cache
	}
	if m.mon, err = clariwatch.NewMonitor(cfg); err != nil {
		t.Fatal(err)
	}
	return m
}

// tick renames body into place with a modification time an hour back,
// so that the tick maps the file, and runs one tick.
func (m *cacheCompareMonitor) tick(t *testing.T, body []byte) (*clariwatch.Result, error) {
	t.Helper()
	tmp := m.path + ".tmp"
	writeTestFile(t, tmp, body)
	makeOld(t, tmp)
	if err := os.Rename(tmp, m.path); err != nil {
		t.Fatal(err)
	}
	return m.mon.Tick(t.Context())
}

// resultJSON returns the JSON of res with its snapshot ids replaced, so
// that the results of two stores compare equal.
func resultJSON(t *testing.T, res *clariwatch.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := res.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, id := range append([]string{res.SnapshotID, res.HeadID}, res.Pruned...) {
		if id != "" {
			s = strings.ReplaceAll(s, id, "ID")
		}
	}
	return s
}

// TestOrderCacheMixedShapes runs the same per-owner exports of mixed
// shapes through monitors with and without a cache: their results must
// have the same JSON.
func TestOrderCacheMixedShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	with, without := newCacheCompareMonitor(t, true), newCacheCompareMonitor(t, false)
	for i := range 16 {
		n := 50 + rng.IntN(3000)
		if i == 9 {
			// Large enough that the order is checked on two goroutines.
			n = 70_000
		}
		body := mixedOwners(rng, n, rng.IntN(4) == 0)
		got, gotErr := with.tick(t, body)
		want, wantErr := without.tick(t, body)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("tick %d: error with a cache %v, without %v", i, gotErr, wantErr)
		}
		if gotErr != nil {
			continue
		}
		if g, w := resultJSON(t, got), resultJSON(t, want); g != w {
			t.Errorf("tick %d: JSON with a cache differs from the JSON without:\n%.3000s\n%.3000s", i, g, w)
		}
		files, err := filepath.Glob(filepath.Join(with.cache, "*", "*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) > 2 {
			t.Errorf("tick %d: cache entries = %v, want at most the head's and the newest", i, files)
		}
	}
}
