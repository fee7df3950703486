// The tickbench command times one forecast-monitor tick on a large Clari
// export, as a whole process, for measuring with /usr/bin/time -v.
//
// First generate the exports and a store whose head is the previous one:
//
//	go run ./examples/internal/tickbench -gen -dir /tmp/tick
//
// Then time one tick against a copy of that store, so that every run
// starts from the same head:
//
//	go build -o /tmp/tickbench ./examples/internal/tickbench
//	rm -rf /tmp/tick/store && cp -a /tmp/tick/base /tmp/tick/store
//	/usr/bin/time -v /tmp/tickbench -dir /tmp/tick -store /tmp/tick/store
//
// The run serves curr.json from a claritest emulator on 127.0.0.1 and runs
// one Monitor.Tick with a FileStore. It prints on stderr the time of each
// step: fetch (start, poll, download and decode), store, read and decode
// the head, compare, render, notify a notifier that drops the message, and
// advance. The emulator runs in the same process, so the peak RSS
// includes its copy of the export.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
	"github.com/clariwatch/clariwatch/snapshot"
)

func main() {
	gen := flag.Bool("gen", false, "generate head.json, curr.json and the store base/ in -dir, then exit")
	dir := flag.String("dir", ".", "directory of the generated exports")
	store := flag.String("store", "", "store directory to tick against (default: DIR/store)")
	users := flag.Int("users", 19231, "users in each export; entries = users × 4 fields × 13 weeks")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the tick to this file")
	file := flag.String("export-file", "", "read the current export from this file instead of the emulator")
	period := flag.String("period", "", "time period to request, such as 2026_Q4 (default: the export's)")
	flag.Parse()
	ctx := context.Background()
	var err error
	if *gen {
		err = generate(ctx, *dir, *users)
	} else {
		if *store == "" {
			*store = filepath.Join(*dir, "store")
		}
		err = run(ctx, *dir, *store, *file, *period, *cpuProfile)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tickbench:", err)
		os.Exit(1)
	}
}

// stream is the stream of the generated exports.
var stream = snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}

// generate writes the two exports and a store whose head is head.json.
func generate(ctx context.Context, dir string, users int) error {
	head, cur := genExport(users, 0), genExport(users, 20)
	if err := os.WriteFile(filepath.Join(dir, "head.json"), head, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "curr.json"), cur, 0o644); err != nil {
		return err
	}
	base := filepath.Join(dir, "base")
	if err := os.RemoveAll(base); err != nil {
		return err
	}
	s, err := snapshot.OpenFileStore(ctx, base, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	exp, err := clari.DecodeBytes(head)
	if err != nil {
		return err
	}
	rows, err := exp.Rows()
	if err != nil {
		return err
	}
	m, err := s.Put(ctx, snapshot.Meta{Key: stream, RowCount: len(rows)}, bytesReader(head))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "head: %d entries, %d bytes; current: %d bytes\n", len(exp.Entries), len(head), len(cur))
	return s.Advance(ctx, stream, "", m.ID)
}

// run times one tick of curr.json served by the emulator against store.
func run(ctx context.Context, dir, storeDir, file, period, cpuProfile string) error {
	start := time.Now()
	var src clariwatch.Source = &clariwatch.FileSource{Path: file}
	if file == "" {
		cur, err := os.ReadFile(filepath.Join(dir, "curr.json"))
		if err != nil {
			return err
		}
		srv := claritest.NewServer(nil, claritest.WithExports(cur), claritest.WithPollsToDone(1))
		defer srv.Close()
		client, err := clari.NewClient(srv.APIKey, clari.WithBaseURL(srv.URL),
			clari.WithPollInterval(time.Millisecond, time.Millisecond), clari.WithMaxDownloadSize(1<<30))
		if err != nil {
			return err
		}
		src = &clariwatch.ClariSource{Client: client, ForecastID: stream.ForecastID,
			Request: clari.ExportRequest{TimePeriod: period}}
	}
	fs, err := snapshot.OpenFileStore(ctx, storeDir, nil)
	if err != nil {
		return err
	}
	defer fs.Close()
	tm := &timer{}
	timed := src
	if file == "" {
		// A wrapped FileSource would lose the tick's per-owner fast path,
		// so a file fetch shows only as the gap before "head meta".
		timed = &timedSource{Source: src, t: tm}
	}
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:     timed,
		Store:      &timedStore{Store: fs, t: tm},
		Locker:     fs,
		Notifier:   &timedNotifier{t: tm},
		ForecastID: stream.ForecastID,
		Period:     period,
		// As in forecast-monitor, which keeps its cache beside the store.
		CacheDir: filepath.Join(storeDir, "cache"),
		Logger:   tm.logger(),
	})
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		stop, err := startProfile(cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	setup := time.Since(start)
	tm.begin = time.Now()
	res, err := mon.Tick(ctx)
	tm.end = time.Now()
	if err != nil {
		return err
	}
	if len(res.Report.Changes) == 0 || !res.Advanced {
		return fmt.Errorf("tick found no changes or did not advance: %+v", res.Report.Summary)
	}
	fmt.Fprintf(os.Stderr, "setup (read curr.json, start emulator): %v\n", setup.Round(time.Millisecond))
	tm.print(os.Stderr, len(res.Report.Changes))
	return printMarshal(res)
}

// printMarshal times the result's MarshalJSON, the line that
// forecast-monitor -format json prints.
func printMarshal(res *clariwatch.Result) error {
	start := time.Now()
	out, err := res.MarshalJSON()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "MarshalJSON of the result: %v, %d bytes\n", time.Since(start).Round(time.Millisecond), len(out))
	return nil
}

func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
