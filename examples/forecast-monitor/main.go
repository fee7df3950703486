// Command forecast-monitor demonstrates monitoring a Clari forecast: each
// tick exports the forecast (or reads an export file), stores it as a
// snapshot, compares it with the last one and alerts on the moves that pass
// the thresholds.
//
// Try it with no credentials and no network; -demo runs the real pipeline
// against an in-process Clari emulator serving four bundled exports:
//
//	go run ./examples/forecast-monitor -demo
//
// For real, run one tick from cron every 4 hours (0 */4 * * *):
//
//	CLARI_API_KEY=... SLACK_WEBHOOK_URL=... forecast-monitor \
//	    -forecast net_bookings -period 2026_Q4 -store /var/lib/clariwatch
//
// or compare export files without the API:
//
//	forecast-monitor -forecast net_bookings -export-file export.json -store ./data
//
// Secrets come only from the environment: CLARI_API_KEY for Clari,
// SLACK_WEBHOOK_URL for a Slack incoming webhook, and WEBHOOK_URL with
// WEBHOOK_SECRET (Standard Webhooks, "whsec_..." or base64) for a signed
// JSON webhook. CLARI_FORECAST_ID and CLARI_BASE_URL are the defaults of
// -forecast and -base-url. Without a notifier the program only prints.
// CLARIWATCH_LOG_LEVEL (debug, info, warn, error or off; default info, warn
// with -demo) sets the level of the logs written to stderr.
//
// The first export of a stream (forecast, period, scope, currency) is a
// baseline: stored, not alerted. The head snapshot moves only after every
// notifier succeeded, so a failed alert is sent again by the next tick.
// An export that lacks more than half of the head's owners is rejected;
// -max-missing sets that share. After the head moves, snapshots beyond
// the newest -keep of the stream are deleted, never the head or its parent.
//
// Exit status: 0 when the tick succeeded, whether or not anything changed;
// 1 when it failed; 2 for a usage error. With -every (1m or more) the
// program loops, one tick at a time with a ±5 % jitter on the interval,
// until SIGINT or SIGTERM, and then exits 0.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// fail prints one error line and returns the exit status. Joined errors,
// such as those of several failed notifiers, are separated by "; " in
// place of errors.Join's newlines.
func fail(stderr interface{ Write([]byte) (int, error) }, code int, err error) int {
	fmt.Fprintf(stderr, "forecast-monitor: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
	return code
}
