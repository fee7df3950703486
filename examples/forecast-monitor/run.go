package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// run parses the arguments, runs one tick or the loop, and returns the
// exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(stderr, 2, err)
	}
	log := slog.New(slog.DiscardHandler)
	if !c.logOff {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: c.logLevel}))
	}
	if c.demo {
		if err := runDemo(ctx, c, stdout, log); err != nil {
			return fail(stderr, 1, err)
		}
		return 0
	}
	store, closeStore, err := openStore(ctx, c, log)
	if err != nil {
		return fail(stderr, 1, err)
	}
	defer closeStore()
	src, err := newSource(c, log)
	if err != nil {
		return fail(stderr, 2, err)
	}
	mon, err := newMonitor(c, src, store, log)
	if err != nil {
		return fail(stderr, 2, err)
	}
	if c.every == 0 {
		if err := tickOnce(ctx, mon, c.format, stdout); err != nil {
			return fail(stderr, 1, err)
		}
		return 0
	}
	loop(ctx, mon, c, stdout, log)
	return 0
}

// openStore opens the file store in c.store and returns it with the
// function that closes it. OpenFileStore creates a missing directory, so a
// dry run on a directory that does not exist uses an empty memory store
// instead: it writes nothing, and its export is a baseline.
func openStore(ctx context.Context, c *config, log *slog.Logger) (snapshot.Store, func(), error) {
	if c.dryRun {
		_, err := os.Stat(c.store)
		if errors.Is(err, fs.ErrNotExist) {
			log.Info("dry run: the store directory does not exist, so the export is compared with nothing", "store", c.store)
			return snapshot.NewMemoryStore(), func() {}, nil
		}
	}
	store, err := snapshot.OpenFileStore(ctx, c.store, &snapshot.FileOptions{Logger: log})
	if err != nil {
		return nil, nil, err
	}
	return store, func() { store.Close() }, nil
}

// newSource returns the file or Clari source that c selects.
func newSource(c *config, log *slog.Logger) (clariwatch.Source, error) {
	if c.exportFile != "" {
		return &clariwatch.FileSource{Path: c.exportFile, Period: c.period}, nil
	}
	opts := []clari.Option{clari.WithLogger(log)}
	if c.baseURL != "" {
		opts = append(opts, clari.WithBaseURL(c.baseURL))
	}
	client, err := clari.NewClient(c.apiKey, opts...)
	if err != nil {
		return nil, err
	}
	return &clariwatch.ClariSource{Client: client, ForecastID: c.forecast, Request: clari.ExportRequest{
		TimePeriod: c.period, ScopeID: c.scope, Currency: c.currency,
	}}, nil
}

// newMonitor builds the Monitor with the thresholds and notifiers of c.
func newMonitor(c *config, src clariwatch.Source, store snapshot.Store, log *slog.Logger) (*clariwatch.Monitor, error) {
	n, err := newNotifier(c, log)
	if err != nil {
		return nil, err
	}
	threshold, minChange := c.threshold, c.minChange
	return clariwatch.NewMonitor(clariwatch.Config{
		Source:     src,
		Store:      store,
		Notifier:   n,
		Diff:       &diff.Options{Threshold: diff.Threshold{Percent: &threshold, MinChange: &minChange}},
		Render:     notify.RenderOptions{MaxChanges: c.maxAlerts},
		ForecastID: c.forecast,
		Period:     c.period,
		Scope:      c.scope,
		Currency:   c.currency,
		// Config.MaxMissingOwners is a share from 0 to 1.
		MaxMissingOwners: c.maxMissing / 100,
		Keep:             c.keep,
		// The cache lives beside the snapshots, which never read it.
		CacheDir: filepath.Join(c.store, "cache"),
		Logger:   log,
		DryRun:   c.dryRun,
	})
}

// newNotifier returns the notifiers configured in the environment, nil
// when there are none or in a dry run.
func newNotifier(c *config, log *slog.Logger) (notify.Notifier, error) {
	if c.dryRun {
		return nil, nil
	}
	var ns []notify.Notifier
	if c.slackURL != "" {
		s, err := notify.NewSlack(c.slackURL, &notify.SlackOptions{Name: "slack", Logger: log})
		if err != nil {
			return nil, fmt.Errorf("SLACK_WEBHOOK_URL: %w", err)
		}
		ns = append(ns, notify.Named("slack", s))
	}
	if c.webhookURL != "" {
		w, err := notify.NewWebhook(c.webhookURL, &notify.WebhookOptions{Name: "webhook", Secret: c.webhookSecret, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("WEBHOOK_URL or WEBHOOK_SECRET: %w", err)
		}
		ns = append(ns, notify.Named("webhook", w))
	}
	switch len(ns) {
	case 0:
		return nil, nil
	case 1:
		return ns[0], nil
	}
	return notify.Multi(ns...), nil
}

// tickOnce runs one tick and prints its result.
func tickOnce(ctx context.Context, mon *clariwatch.Monitor, format string, stdout io.Writer) error {
	res, err := mon.Tick(ctx)
	if errors.Is(err, clariwatch.ErrSuspiciousExport) {
		return fmt.Errorf("%w (-max-missing sets the limit)", err)
	}
	if errors.Is(err, clari.ErrNoPeriod) {
		return fmt.Errorf("%w (at the command line, pass -period, such as -period 2026_Q4)", err)
	}
	if err != nil {
		return err
	}
	return printResult(stdout, format, res)
}

// printResult writes res as text or as one JSON line.
func printResult(w io.Writer, format string, res *clariwatch.Result) error {
	if format == "json" {
		// WriteJSON writes compact output in parts as it encodes them.
		// json.Marshal would check and compact all of it again, which
		// costs about 0.1 s for 50,000 changes.
		if err := res.WriteJSON(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	_, err := io.WriteString(w, resultText(res))
	return err
}

// resultText is the text form of a tick: the alert as it would be sent,
// then one status line.
func resultText(res *clariwatch.Result) string {
	var status string
	switch {
	case res.DryRun:
		status = "dry run: nothing stored, nobody notified, head not moved"
	case res.Baseline:
		status = fmt.Sprintf("baseline: snapshot %s is the first of stream %s; no alerts", res.SnapshotID, res.Stream)
	case res.Unchanged:
		status = fmt.Sprintf("unchanged: the export equals head %s; head moved to %s", res.HeadID, res.SnapshotID)
	case len(res.Report.Changes) == 0:
		status = fmt.Sprintf("no change passed the thresholds; head moved from %s to %s", res.HeadID, res.SnapshotID)
	default:
		sent := "not sent (no notifier configured)"
		if res.Notified {
			sent = "sent"
		}
		status = fmt.Sprintf("alert of %d change(s) %s; head moved from %s to %s", len(res.Report.Changes), sent, res.HeadID, res.SnapshotID)
	}
	return res.Message.PlainText() + status + "\n\n"
}

// loop runs a tick every c.every, with jitter, until ctx is done. Ticks
// never overlap: the next wait starts when a tick ends.
func loop(ctx context.Context, mon *clariwatch.Monitor, c *config, stdout io.Writer, log *slog.Logger) {
	log.Info("monitor loop started", "every", c.every.String())
	for {
		tickCtx, cancel := context.WithTimeout(ctx, c.every)
		err := tickOnce(tickCtx, mon, c.format, stdout)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			log.Warn("tick stopped by shutdown; the head was not moved unless the tick finished", "err", err)
		case err != nil:
			log.Error("tick failed; the next tick retries from the same head", "err", err)
		}
		if ctx.Err() != nil {
			log.Info("monitor loop stopped", "reason", context.Cause(ctx).Error())
			return
		}
		wait := jitter(c.every)
		log.Info("waiting for the next tick", "wait", wait.String())
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			log.Info("monitor loop stopped", "reason", context.Cause(ctx).Error())
			return
		case <-timer.C:
		}
	}
}

// jitter returns d varied by up to ±5 %, so that many monitors started
// together do not call Clari in step.
func jitter(d time.Duration) time.Duration {
	spread := int64(d / 10)
	if spread <= 0 {
		return d
	}
	return d - time.Duration(spread/2) + time.Duration(rand.Int64N(spread))
}
