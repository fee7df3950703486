//go:build unix

package clariwatch_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/internal/fault"
	"github.com/clariwatch/clariwatch/snapshot"
)

// makeOld sets the modification time of path an hour back.
func makeOld(t *testing.T, path string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

// mapNewFiles makes the test's ticks map export files whatever their
// age, because no call can set a change time back, and a test that needs
// the mapped path cannot wait for the file to age.
func mapNewFiles(t *testing.T) { clariwatch.SetMapMinAge(t, 0) }

// truncatingStore is a MemoryStore that truncates a file to 0 bytes on
// one call of Head, to shrink the export file in the middle of a tick.
type truncatingStore struct {
	*snapshot.MemoryStore
	path string

	mu    sync.Mutex
	calls int
	at    int // the call of Head that truncates; 0 for none
	err   error
	// action, when set, replaces the truncation.
	action func(path string) error
}

func (s *truncatingStore) Head(ctx context.Context, k snapshot.Key) (snapshot.Meta, error) {
	s.mu.Lock()
	s.calls++
	if s.calls == s.at {
		if s.action != nil {
			s.err = s.action(s.path)
		} else {
			s.err = os.Truncate(s.path, 0)
		}
	}
	s.mu.Unlock()
	return s.MemoryStore.Head(ctx, k)
}

// faultSetup is a monitor whose store changes the export file on one
// call of Head, after a baseline tick on a first export.
type faultSetup struct {
	path  string
	store *truncatingStore
	rec   *recorder
	mon   *clariwatch.Monitor
	first *clariwatch.Result
}

func newFaultSetup(t *testing.T) *faultSetup {
	t.Helper()
	s := &faultSetup{path: t.TempDir() + "/export.json", rec: &recorder{}}
	s.store = &truncatingStore{MemoryStore: snapshot.NewMemoryStore(), path: s.path}
	var err error
	s.mon, err = clariwatch.NewMonitor(clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: s.path, Period: "2026_Q4"},
		Store:      s.store,
		Notifier:   s.rec,
		ForecastID: "net_bookings",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path, ownersJSON("2026_Q4", 20_000, "100"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s.first, err = s.mon.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The second export differs in every amount, so that the tick
	// compares the rows and sends alerts unless it fails. Its size
	// differs too, so the tick stores it while it compares.
	if err := os.WriteFile(s.path, ownersJSON("2026_Q4", 20_000, "1000"), 0o600); err != nil {
		t.Fatal(err)
	}
	makeOld(t, s.path)
	mapNewFiles(t)
	return s
}

// tickChangingAt runs a tick whose call number at of Head runs action,
// or truncates the file when action is nil.
func (s *faultSetup) tickChangingAt(t *testing.T, at int, action func(path string) error) error {
	t.Helper()
	s.store.mu.Lock()
	s.store.calls, s.store.at, s.store.action = 0, at, action
	s.store.mu.Unlock()
	_, err := s.mon.Tick(t.Context())
	if s.store.err != nil {
		t.Fatal(s.store.err)
	}
	if s.store.calls < at {
		t.Fatalf("the tick called Head %d times; the test changes the file at call %d", s.store.calls, at)
	}
	return err
}

// checkFailedTick checks that err names the export file and that the
// tick kept the head and sent nothing.
func (s *faultSetup) checkFailedTick(t *testing.T, err error) {
	t.Helper()
	var fileErr *clari.FileError
	if !errors.As(err, &fileErr) || fileErr.Path != s.path {
		t.Errorf("Tick error = %v, want a *clari.FileError for %s", err, s.path)
	}
	if err != nil && !strings.Contains(err.Error(), "rename it into place") {
		t.Errorf("Tick error = %q, want advice on writing exports", err)
	}
	head, herr := s.store.MemoryStore.Head(t.Context(), s.first.Stream)
	if herr != nil {
		t.Fatal(herr)
	}
	if head.ID != s.first.SnapshotID {
		t.Errorf("head = %s, want %s, the first export's", head.ID, s.first.SnapshotID)
	}
	if n := s.rec.count(); n != 0 {
		t.Errorf("the notifier got %d messages, want none", n)
	}
}

// TestTickExportFileTruncated shrinks the export file while a tick reads
// it: before the tick scans it, and after the tick converted it, while
// the snapshot is stored and compared. The tick must fail with an error
// that names the file, move no head and send nothing.
func TestTickExportFileTruncated(t *testing.T) {
	tests := []struct {
		name string
		// head is the call of Store.Head that truncates: the first is
		// the early read of the head, before the scan, and the second the
		// read under the stream's lock, after the conversion.
		head int
	}{
		{"before the scan", 1},
		{"after the conversion", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFaultSetup(t)
			err := s.tickChangingAt(t, tt.head, nil)
			var ferr *fault.Error
			if !errors.As(err, &ferr) {
				t.Fatalf("Tick error = %v, want one that wraps a *fault.Error", err)
			}
			s.checkFailedTick(t, err)
		})
	}
}

// writeInPlace writes b over the start of the existing file at path.
func writeInPlace(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(b, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// TestTickExportFileWrittenInPlace rewrites the mapped export file in
// place, same size and new amounts, while the tick stores and compares
// it. No read faults, so the tick must notice the new modification
// time, fail, send nothing and keep the head.
func TestTickExportFileWrittenInPlace(t *testing.T) {
	s := newFaultSetup(t)
	// Same size, so that no read faults: only the amounts change.
	err := s.tickChangingAt(t, 2, func(path string) error {
		return writeInPlace(path, ownersJSON("2026_Q4", 20_000, "2000"))
	})
	if err == nil || !strings.Contains(err.Error(), "written during the tick") {
		t.Fatalf("Tick error = %v, want one that says the file was written during the tick", err)
	}
	s.checkFailedTick(t, err)
}

// TestTickNewExportFileIsRead checks that a tick reads a file modified
// just before it instead of mapping it, so that a write in place during
// the tick changes nothing that the tick uses.
func TestTickNewExportFileIsRead(t *testing.T) {
	path := t.TempDir() + "/export.json"
	store := &truncatingStore{MemoryStore: snapshot.NewMemoryStore(), path: path, at: 1}
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: path, Period: "2026_Q4"},
		Store:      store,
		ForecastID: "net_bookings",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, ownersJSON("2026_Q4", 20_000, "100"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A modification time in the future keeps the file new however long
	// the test takes to reach the tick.
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	// The first call of Head truncates the file, before the scan: a
	// mapped file would fault, a copy does not.
	if _, err := mon.Tick(t.Context()); err != nil {
		t.Fatalf("Tick of a new file truncated during the tick: %v, want success from the copy", err)
	}
}

// TestTickExportFileRenamedOver renames a new export over the path while
// the tick stores and compares the mapped file. Renaming changes the
// change time of the mapped file but not its bytes, so the tick must
// succeed with the export it opened.
func TestTickExportFileRenamedOver(t *testing.T) {
	s := newFaultSetup(t)
	res, err := func() (*clariwatch.Result, error) {
		s.store.mu.Lock()
		s.store.calls, s.store.at = 0, 2
		s.store.action = func(path string) error {
			next := path + ".next"
			if err := os.WriteFile(next, ownersJSON("2026_Q4", 20_000, "3000"), 0o600); err != nil {
				return err
			}
			return os.Rename(next, path)
		}
		s.store.mu.Unlock()
		return s.mon.Tick(t.Context())
	}()
	if s.store.err != nil {
		t.Fatal(s.store.err)
	}
	if err != nil {
		t.Fatalf("Tick with a new export renamed over the path: %v, want success", err)
	}
	if !res.Advanced {
		t.Error("the tick did not advance the head")
	}
	for _, ch := range res.Report.Changes {
		if ch.Current == nil || ch.Current.String() != "1000" {
			t.Fatalf("change %+v, want current amounts of 1000 from the export the tick opened", ch)
		}
	}
	if len(res.Report.Changes) == 0 {
		t.Error("the tick reported no changes")
	}
}

// goroutineStore is a MemoryStore that reads the body of Put on a
// goroutine of its own, as a store that streams to a remote service
// may.
type goroutineStore struct {
	*truncatingStore
}

func (s goroutineStore) Put(ctx context.Context, m snapshot.Meta, r io.Reader) (snapshot.Meta, error) {
	type result struct {
		body []byte
		err  error
	}
	done := make(chan result)
	go func() {
		b, err := io.ReadAll(r)
		done <- result{b, err}
	}()
	res := <-done
	if res.err != nil {
		return snapshot.Meta{}, res.err
	}
	return s.truncatingStore.Put(ctx, m, bytes.NewReader(res.body))
}

// TestTickStoreReadsOnOwnGoroutine truncates the mapped export file
// before a store that reads it on its own goroutine stores it. The fault
// of that goroutine must become the tick's error, not a crash.
func TestTickStoreReadsOnOwnGoroutine(t *testing.T) {
	s := newFaultSetup(t)
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: s.path, Period: "2026_Q4"},
		Store:      goroutineStore{s.store},
		Notifier:   s.rec,
		ForecastID: "net_bookings",
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mon = mon
	err = s.tickChangingAt(t, 2, nil)
	var ferr *fault.Error
	if !errors.As(err, &ferr) {
		t.Fatalf("Tick error = %v, want one that wraps a *fault.Error", err)
	}
	s.checkFailedTick(t, err)
}

// TestTickExportFileWrittenThenLinked writes the mapped export file in
// place, sets its modification time back and links it to a second name,
// as an archiver may. Only the change time shows the write, and the new
// link changes it too, so the tick must still count it as a write while
// the path names the file.
func TestTickExportFileWrittenThenLinked(t *testing.T) {
	s := newFaultSetup(t)
	err := s.tickChangingAt(t, 2, func(path string) error {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if err := writeInPlace(path, ownersJSON("2026_Q4", 20_000, "2000")); err != nil {
			return err
		}
		if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
			return err
		}
		return os.Link(path, path+".archived")
	})
	if err == nil || !strings.Contains(err.Error(), "written during the tick") {
		t.Fatalf("Tick error = %v, want one that says the file was written during the tick", err)
	}
	s.checkFailedTick(t, err)
}
