//go:build linux || darwin || freebsd || netbsd || openbsd

package clariwatch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
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
	// Opening a FIFO that no process writes to blocks, so a hang here
	// fails the test by its timeout.
	_, err := mon.Tick(t.Context())
	var fileErr *clari.FileError
	if !errors.As(err, &fileErr) || fileErr.Path != path {
		t.Errorf("Tick error = %v, want a *clari.FileError for %s", err, path)
	}
	if err != nil && !strings.Contains(err.Error(), "no process had it open for writing") {
		t.Errorf("Tick error = %q, want it to say that the FIFO has no writer", err)
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
	ctx, cancel := context.WithCancel(t.Context())
	// The tick waits for the writer, so only the cancellation can end it;
	// a hang fails the test by its timeout.
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	if _, err := mon.Tick(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Tick error = %v, want context.Canceled", err)
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
