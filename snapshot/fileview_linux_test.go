package snapshot_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// mappings returns the lines of /proc/self/maps that map path.
func mappings(t *testing.T, path string) []string {
	t.Helper()
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatalf("read /proc/self/maps: %v", err)
	}
	var lines []string
	for line := range strings.Lines(string(maps)) {
		if strings.Contains(line, path) {
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	return lines
}

// TestFileStoreViewMapsFile checks in /proc/self/maps that View lends a
// private read-only mapping of the snapshot file, and that the mapping is
// gone when View returns, also after fn panicked.
func TestFileStoreViewMapsFile(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir)
	body := bytes.Repeat([]byte("row,1,2\n"), 1<<17)
	m, err := s.Put(t.Context(), snapshot.Meta{Key: snapshottest.Key("fc")}, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	path := snapshotFile(dir, m)

	err = s.View(t.Context(), m.ID, func(_ snapshot.Meta, data []byte) error {
		lines := mappings(t, path)
		if len(lines) != 1 {
			t.Fatalf("mappings of %s during View = %q, want one", path, lines)
		}
		if perms := strings.Fields(lines[0])[1]; perms != "r--p" {
			t.Errorf("mapping permissions = %s, want r--p (read-only, private)", perms)
		}
		if !bytes.Equal(data, body) {
			t.Errorf("View body differs from the %d bytes stored", len(body))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View error: %v", err)
	}
	if lines := mappings(t, path); len(lines) != 0 {
		t.Errorf("mappings of %s after View = %q, want none", path, lines)
	}

	recovered := func() (r any) {
		defer func() { r = recover() }()
		s.View(t.Context(), m.ID, func(snapshot.Meta, []byte) error { panic("fn failed") })
		return nil
	}()
	if recovered != "fn failed" {
		t.Errorf("View recovered %v, want the panic of fn to reach the caller", recovered)
	}
	if lines := mappings(t, path); len(lines) != 0 {
		t.Errorf("mappings of %s after a panic in fn = %q, want none", path, lines)
	}
}

// sink keeps the compiler from dropping a read of a lent body.
var sink byte

// TestFileStoreViewTruncatedFile truncates the snapshot file inside fn and
// then reads the last byte of the body, a page that the truncation removed
// from the mapping. Without the fault guard in View, that read raises
// SIGBUS and crashes the test process.
func TestFileStoreViewTruncatedFile(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir)
	body := bytes.Repeat([]byte("x"), 4*os.Getpagesize())
	m, err := s.Put(t.Context(), snapshot.Meta{Key: snapshottest.Key("fc")}, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	path := snapshotFile(dir, m)

	calls, readLast := 0, false
	err = s.View(t.Context(), m.ID, func(_ snapshot.Meta, data []byte) error {
		calls++
		if err := os.Truncate(path, 0); err != nil {
			t.Errorf("truncate %s: %v", path, err)
			return nil
		}
		sink = data[len(data)-1]
		readLast = true
		return nil
	})
	if calls != 1 {
		t.Errorf("View called fn %d times, want 1", calls)
	}
	if readLast {
		t.Fatal("the read of the truncated page returned, so the test faulted nothing")
	}
	if !snapshot.IsFault(err) {
		t.Fatalf("View error = %v, want one that wraps a memory fault", err)
	}
	if errors.Is(err, snapshot.ErrCorrupt) {
		t.Errorf("View error %q matches ErrCorrupt, but the file was intact when View checked it", err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "was truncated to 0 bytes") {
		t.Errorf("View error %q does not name %s and say that it was truncated to 0 bytes", msg, path)
	}
	if lines := mappings(t, path); len(lines) != 0 {
		t.Errorf("mappings of %s after the fault = %q, want none", path, lines)
	}
	if debug.SetPanicOnFault(false) {
		t.Error("View left panic-on-fault set on the calling goroutine")
	}

	err = s.View(t.Context(), m.ID, failCallback(t))
	checkCorrupt(t, "View of the truncated file", err, m.ID)
}

// TestFileStoreViewWriteToBody writes to the lent body, which breaks the
// contract of View, on the goroutine that called View. The write faults in
// the read-only mapping, and View returns the fault as an error.
func TestFileStoreViewWriteToBody(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir)
	body := bytes.Repeat([]byte("x"), 2*os.Getpagesize())
	m, err := s.Put(t.Context(), snapshot.Meta{Key: snapshottest.Key("fc")}, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	path := snapshotFile(dir, m)

	wrote := false
	err = s.View(t.Context(), m.ID, func(_ snapshot.Meta, data []byte) error {
		data[0] = 'y'
		wrote = true
		return nil
	})
	if wrote {
		t.Fatal("the write to the read-only body returned")
	}
	if !snapshot.IsFault(err) {
		t.Fatalf("View error = %v, want one that wraps a memory fault", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) || !strings.Contains(msg, "could not be read") {
		t.Errorf("View error %q does not name %s and say that it could not be read", msg, path)
	}
	if strings.Contains(msg, "truncated") {
		t.Errorf("View error %q reports a truncation, but the file kept its size", msg)
	}
	checkReads(t, s, m, body)
}
