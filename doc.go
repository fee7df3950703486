// Package clariwatch watches Clari forecast exports and Clari Copilot calls
// and alerts on the changes that matter.
//
// Clari's Revenue API has no webhooks for forecast changes. clariwatch takes
// a forecast export every few hours, keeps each export as a snapshot,
// compares it with the last one and sends alerts for the moves that pass
// the thresholds. For Clari Copilot it verifies signed webhook deliveries of
// call events, and derives the same events by polling Copilot's REST API
// where a workspace has no webhooks.
//
// # Packages
//
// Each package has one job, and the arrows run one way: this package uses
// clari, notify and snapshot, which use diff.
//
//   - [github.com/clariwatch/clariwatch/diff] compares two tables of
//     forecast values with exact decimal amounts, percent and absolute
//     thresholds, and returns a deterministic report. It imports nothing
//     from this module.
//   - [github.com/clariwatch/clariwatch/snapshot] stores exports as
//     immutable snapshots and moves each stream's head by compare-and-swap.
//     Its FileStore survives crashes and concurrent runs. It imports nothing
//     from this module.
//   - [github.com/clariwatch/clariwatch/clari] is the client for Clari's
//     forecast export API (start, poll, download, cancel, limits) and reads
//     exports from the API or from files, turning them into diff rows.
//   - [github.com/clariwatch/clariwatch/notify] renders reports and sends
//     them to Slack, to signed webhooks and to any io.Writer.
//   - [github.com/clariwatch/clariwatch/copilot] verifies Copilot webhook
//     deliveries, registers subscriptions, and polls Copilot's REST API.
//
// The packages clari/claritest, copilot/copilottest and notify/slacktest
// are in-process emulators of Clari, Copilot and Slack on loopback, for
// tests and demos. snapshot/snapshottest is a conformance suite for any
// snapshot.Store.
//
// # The monitoring tick
//
// [Monitor] composes the packages into one idempotent tick:
//
//  1. Fetch: start a Clari forecast export, or resume the job id stored by
//     an earlier run that did not finish, wait for it and download it.
//  2. Store: put the raw export into the snapshot store.
//  3. Compare: turn the export into diff rows and compare them with the
//     rows of the stream's head snapshot.
//  4. Notify: render the report and send it to every notifier.
//  5. Advance: only after every notifier succeeded, move the head to the
//     new snapshot by compare-and-swap.
//
// A stream is a forecast id, time period, scope and currency. The first
// export of a stream is a baseline: it is stored and alerts nothing. A
// failed notification leaves the head where it was, so the next tick alerts
// again; receivers drop repeats by the delivery key of each message.
//
// The program in examples/forecast-monitor runs the tick once (for cron) or
// in a loop. Its -demo flag runs it against the Clari emulator on the
// bundled exports, with no credentials.
//
// # Logging and secrets
//
// Every package that logs takes an optional *slog.Logger and logs nothing
// when it is nil. No error string or log line contains an API key, password, webhook
// URL or signing secret.
package clariwatch
