package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
	"github.com/clariwatch/clariwatch/examples/internal/demodata"
	"github.com/clariwatch/clariwatch/snapshot"
)

// runDemo runs one tick per bundled export against an in-process Clari
// emulator on 127.0.0.1, with a file store in a temporary directory, and
// prints what each tick would send. The thresholds and -format of c apply.
func runDemo(ctx context.Context, c *config, stdout io.Writer, log *slog.Logger) error {
	exports := make([][]byte, demodata.Count)
	for i := range exports {
		b, err := demodata.Export(i + 1)
		if err != nil {
			return err
		}
		exports[i] = b
	}
	srv := claritest.NewServer(nil, claritest.WithExports(exports...), claritest.WithPollsToDone(2))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "forecast-monitor-demo-")
	if err != nil {
		return fmt.Errorf("demo: create store directory: %w", err)
	}
	defer os.RemoveAll(dir)
	store, err := snapshot.OpenFileStore(ctx, dir, &snapshot.FileOptions{Logger: log})
	if err != nil {
		return err
	}
	defer store.Close()

	client, err := clari.NewClient(srv.APIKey, clari.WithBaseURL(srv.URL), clari.WithLogger(log),
		clari.WithPollInterval(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		return err
	}
	c.forecast = "net_bookings"
	src := &clariwatch.ClariSource{Client: client, ForecastID: c.forecast}
	mon, err := newMonitor(c, src, store, log)
	if err != nil {
		return err
	}
	if c.format == "text" {
		fmt.Fprintf(stdout, "Demo: Clari emulator at %s, snapshot store in %s.\n"+
			"Each tick exports forecast %s, stores it and compares it with the last one.\n\n",
			srv.URL, dir, c.forecast)
	}
	for i := range exports {
		if c.format == "text" {
			fmt.Fprintf(stdout, "=== tick %d: Clari serves %s ===\n", i+1, demodata.Name(i+1))
		}
		if err := tickOnce(ctx, mon, c.format, stdout); err != nil {
			return fmt.Errorf("demo tick %d: %w", i+1, err)
		}
		if i > 0 && c.format == "text" {
			printEmailCaseNotes(stdout, exports[i-1], exports[i])
		}
	}
	return nil
}

// printEmailCaseNotes prints a note for each user whose email changed only
// in case between two exports: the owner key is the Clari userId, so such
// a user has no change.
func printEmailCaseNotes(w io.Writer, previous, current []byte) {
	prev, err1 := clari.DecodeBytes(previous)
	cur, err2 := clari.DecodeBytes(current)
	if err1 != nil || err2 != nil {
		return
	}
	emails := make(map[clari.ID]string, len(prev.Users))
	for _, u := range prev.Users {
		emails[u.UserID] = u.Email
	}
	for _, u := range cur.Users {
		old, ok := emails[u.UserID]
		if ok && old != u.Email && strings.EqualFold(old, u.Email) {
			fmt.Fprintf(w, "note: userId %s changed email case, %s -> %s; same owner, so no change and no alert\n\n",
				u.UserID, old, u.Email)
		}
	}
}
