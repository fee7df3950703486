package snapshot_test

import (
	"bytes"
	"os"
	"path/filepath"
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
