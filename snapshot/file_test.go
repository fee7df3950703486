package snapshot_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// snapshotFile returns the path of snapshot m in the store directory dir.
func snapshotFile(dir string, m snapshot.Meta) string {
	return filepath.Join(dir, "streams", m.Key.DirName(), "snapshots", m.ID+".snap")
}

func TestFileStoreCorruptFiles(t *testing.T) {
	const body = `{"rows":[{"email":"a@example.com","commit":"100.00"}]}`
	tests := []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{"flipped body byte", func(b []byte) []byte { b[3] ^= 0x20; return b }},
		{"truncated by one byte", func(b []byte) []byte { return b[:len(b)-1] }},
		{"truncated to body", func(b []byte) []byte { return b[:len(body)] }},
		{"empty", func(b []byte) []byte { return nil }},
		{"byte removed from body", func(b []byte) []byte { return append(b[:5:5], b[6:]...) }},
		{"metadata edited", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"row_count":1`), []byte(`"row_count":9`), 1)
		}},
		{"footer garbled", func(b []byte) []byte { b[len(b)-3] = 'x'; return b }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir)
			k := snapshottest.Key("fc")
			m, err := s.Put(t.Context(), snapshot.Meta{Key: k, RowCount: 1}, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Advance(t.Context(), k, "", m.ID); err != nil {
				t.Fatal(err)
			}
			path := snapshotFile(dir, m)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tt.damage(data), 0o600); err != nil {
				t.Fatal(err)
			}

			_, got, err := s.Get(t.Context(), m.ID)
			checkCorrupt(t, "Get", err, m.ID)
			if got != nil {
				t.Errorf("Get returned %d bytes of a corrupt snapshot", len(got))
			}
			err = s.View(t.Context(), m.ID, failCallback(t))
			checkCorrupt(t, "View", err, m.ID)
			if _, err := s.List(t.Context(), k); err != nil {
				checkCorrupt(t, "List", err, m.ID)
			}
			if _, err := s.Head(t.Context(), k); err != nil {
				checkCorrupt(t, "Head", err, m.ID)
			}
		})
	}
}

func checkCorrupt(t *testing.T, op string, err error, id string) {
	t.Helper()
	var ce *snapshot.CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, snapshot.ErrCorrupt) {
		t.Fatalf("%s error = %v, want a *CorruptError matching ErrCorrupt", op, err)
	}
	if ce.ID != id || !strings.Contains(err.Error(), id) {
		t.Errorf("%s error %q does not name id %q", op, err, id)
	}
}

func TestFileStoreHeadFileMissingSnapshot(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	k := snapshottest.Key("fc")
	m, err := s.Put(t.Context(), snapshot.Meta{Key: k}, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(t.Context(), k, "", m.ID); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(snapshotFile(dir, m)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Head(t.Context(), k)
	checkCorrupt(t, "Head", err, m.ID)
}

func TestFileStoreReopen(t *testing.T) {
	dir := t.TempDir()
	k := snapshottest.Key("fc")
	s := openStore(t, dir)
	m, err := s.Put(t.Context(), snapshot.Meta{Key: k, SourceJobID: "job-1"}, strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(t.Context(), k, "", m.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPending(t.Context(), k, "job-2"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2 := openStore(t, dir)
	head, err := s2.Head(t.Context(), k)
	if err != nil || head.ID != m.ID || head.SourceJobID != "job-1" {
		t.Errorf("Head after reopen = %+v, %v; want %q", head, err, m.ID)
	}
	if job, err := s2.Pending(t.Context(), k); err != nil || job != "job-2" {
		t.Errorf("Pending after reopen = %q, %v; want job-2", job, err)
	}
}

func TestFileStoreStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	k := snapshottest.Key("fc")
	s := openStore(t, dir)
	m, err := s.Put(t.Context(), snapshot.Meta{Key: k}, strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	snapDir := filepath.Dir(snapshotFile(dir, m))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	stale := filepath.Join(snapDir, ".tmp-stale")
	fresh := filepath.Join(snapDir, ".tmp-fresh")
	for path, age := range map[string]time.Duration{stale: 2 * time.Hour, fresh: time.Minute} {
		if err := os.WriteFile(path, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	if list, err := s.List(t.Context(), k); err != nil || len(list) != 1 {
		t.Errorf("List with temporary files = %v, %v; want only %q", list, err, m.ID)
	}

	var logs bytes.Buffer
	s2, err := snapshot.OpenFileStore(t.Context(), dir, &snapshot.FileOptions{
		Now:    func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file still exists after open: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temporary file removed: %v", err)
	}
	if !strings.Contains(logs.String(), ".tmp-stale") {
		t.Errorf("log does not mention the removed file: %q", logs.String())
	}
}

func TestFileStoreKeysStayInside(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	keys := []snapshot.Key{
		{ForecastID: "a%2F..%2Fb", TimePeriod: "..x", Scope: "~root", Currency: "C:"},
		{ForecastID: strings.Repeat("é", 128), TimePeriod: strings.Repeat("%", 256)},
		{ForecastID: "CON", TimePeriod: "nul", Scope: "*?<>|\"", Currency: " "},
	}
	for _, k := range keys {
		if _, err := s.Put(t.Context(), snapshot.Meta{Key: k}, strings.NewReader("x")); err != nil {
			t.Fatalf("Put(%s) error: %v", k, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "streams"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(keys) {
		t.Errorf("streams directory has %d entries, want %d", len(entries), len(keys))
	}
	top, _ := os.ReadDir(dir)
	if len(top) != 1 || top[0].Name() != "streams" {
		t.Errorf("store directory holds %v, want only streams", top)
	}
}

// checkOneLine fails unless err is a single line of at most maxLen bytes
// that does not contain leak.
func checkOneLine(t *testing.T, op string, err error, leak string, maxLen int) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s error = nil, want an error", op)
	}
	msg := err.Error()
	excerpt := msg[:min(len(msg), maxLen)]
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("%s error spans lines: %q", op, excerpt)
	}
	if leak != "" && strings.Contains(msg, leak) {
		t.Errorf("%s error contains raw file content: %q", op, excerpt)
	}
	if !utf8.ValidString(msg) {
		t.Errorf("%s error is not valid UTF-8: %q", op, excerpt)
	}
	if len(msg) > maxLen {
		t.Errorf("%s error is %d bytes, want at most %d: %q", op, len(msg), maxLen, excerpt)
	}
}

func TestFileStoreDamagedKeyFileError(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"empty object", "{}\n"},
		{"two lines", "{\"forecast_id\":\n\"other\"}\n"},
		{"long", strings.Repeat("x", 10000) + "\n"},
		{"long multibyte", "x" + strings.Repeat("é", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir)
			k := snapshottest.Key("fc")
			if _, err := s.Put(t.Context(), snapshot.Meta{Key: k}, strings.NewReader("x")); err != nil {
				t.Fatal(err)
			}
			keyFile := filepath.Join(dir, "streams", k.DirName(), "key.json")
			if err := os.WriteFile(keyFile, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.Put(t.Context(), snapshot.Meta{Key: k}, strings.NewReader("y"))
			checkOneLine(t, "Put", err, strings.Repeat("x", 200), 600)
			err = s.SetPending(t.Context(), k, "job-1")
			checkOneLine(t, "SetPending", err, strings.Repeat("x", 200), 600)
		})
	}
}

func TestFileStoreDamagedHeadFileError(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"two lines", "snap-1\nsnap-2\n"},
		{"long", strings.Repeat("y", 10000) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir)
			k := snapshottest.Key("fc")
			m, err := s.Put(t.Context(), snapshot.Meta{Key: k}, strings.NewReader("x"))
			if err != nil {
				t.Fatal(err)
			}
			headFile := filepath.Join(dir, "streams", k.DirName(), "HEAD")
			if err := os.WriteFile(headFile, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = s.Head(t.Context(), k)
			checkOneLine(t, "Head", err, strings.Repeat("y", 200), 600)
			err = s.Advance(t.Context(), k, "", m.ID)
			checkOneLine(t, "Advance", err, strings.Repeat("y", 200), 600)
		})
	}
}
