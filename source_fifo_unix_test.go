//go:build unix

package clariwatch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/snapshot"
)

// fifoMonitor returns a monitor whose export file is a new FIFO.
func fifoMonitor(t *testing.T) (*clariwatch.Monitor, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:     &clariwatch.FileSource{Path: path, Period: "2026_Q4"},
		Store:      snapshot.NewMemoryStore(),
		ForecastID: "net_bookings",
	})
	if err != nil {
		t.Fatal(err)
	}
	return mon, path
}

func TestTickFIFOWithoutWriter(t *testing.T) {
	mon, path := fifoMonitor(t)
	done := make(chan error, 1)
	go func() {
		_, err := mon.Tick(t.Context())
		done <- err
	}()
	select {
	case err := <-done:
		var fileErr *clari.FileError
		if !errors.As(err, &fileErr) || fileErr.Path != path {
			t.Errorf("Tick error = %v, want a *clari.FileError for %s", err, path)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Tick on a FIFO without a writer did not return in 10 s")
	}
}

func TestTickFIFOSilentWriterStopsWithContext(t *testing.T) {
	mon, path := fifoMonitor(t)
	// A writer that opens the FIFO and never writes.
	w, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := mon.Tick(ctx)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Tick error = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Tick did not stop within 10 s of its context's deadline")
	}
}

func TestFileSourceDevZeroLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	src := &clariwatch.FileSource{Path: "/dev/zero", MaxSize: 1 << 20}
	_, err := src.Fetch(t.Context(), clariwatch.FetchRequest{})
	if !errors.Is(err, clari.ErrTooLarge) {
		t.Errorf("Fetch of /dev/zero with MaxSize 1 MiB = %v, want clari.ErrTooLarge", err)
	}
}
