// Command copilot-webhook demonstrates receiving Clari Copilot call events,
// either as signed webhook deliveries or by polling Copilot's REST API, and
// forwarding completed calls to Slack.
//
// Webhook mode (the default) listens on -addr and verifies deliveries with
// the Standard Webhooks secret in COPILOT_WEBHOOK_SECRET:
//
//	COPILOT_WEBHOOK_SECRET=whsec_... copilot-webhook -addr 127.0.0.1:8080
//
// The webhook server allows 10 s for the request headers, 30 s for the
// headers and body, and 60 s from the end of the headers to the end of the
// response. It accepts up to 64 KiB of headers and closes connections idle
// for 2 minutes. The event handler, including the Slack forward, gets 50 s.
// A delivery that takes longer gets a 500 response, so the sender retries it.
//
// Poll mode lists calls with COPILOT_API_KEY and COPILOT_API_PASSWORD and
// keeps its place in the -checkpoint file:
//
//	copilot-webhook -poll -checkpoint copilot.checkpoint -interval 1m
//
// Both modes log each event. When SLACK_WEBHOOK_URL is set, each completed
// call is also posted to Slack as one line. -demo runs either mode against
// the copilottest emulator on loopback, with no credentials. SIGINT or
// SIGTERM stops the program cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// config is the parsed command line and environment.
type config struct {
	addr       string
	poll       bool
	checkpoint string
	interval   time.Duration
	baseURL    string
	demo       bool

	secret      string
	apiKey      string
	apiPassword string
	slackURL    string
}

// errUsage marks command-line errors, which exit with status 2.
var errUsage = errors.New("usage error")

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("copilot-webhook", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a usage error is reported as one line
	c := &config{}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "`address` to listen on for webhook deliveries")
	fs.BoolVar(&c.poll, "poll", false, "poll Copilot's REST API instead of receiving webhooks")
	fs.StringVar(&c.checkpoint, "checkpoint", "copilot-poller.checkpoint", "`file` that keeps the poller's place")
	fs.DurationVar(&c.interval, "interval", time.Minute, "time between polls")
	fs.StringVar(&c.baseURL, "base-url", "", "REST base `URL` (default Copilot's), e.g. an emulator")
	fs.BoolVar(&c.demo, "demo", false, "run against a local emulator, with no credentials")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, stderr)
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if c.interval <= 0 {
		return nil, fmt.Errorf("%w: -interval %v must be positive", errUsage, c.interval)
	}
	c.secret = getenv("COPILOT_WEBHOOK_SECRET")
	c.apiKey = getenv("COPILOT_API_KEY")
	c.apiPassword = getenv("COPILOT_API_PASSWORD")
	c.slackURL = getenv("SLACK_WEBHOOK_URL")
	if c.demo {
		return c, nil
	}
	if c.poll && (c.apiKey == "" || c.apiPassword == "") {
		return nil, fmt.Errorf("%w: -poll needs COPILOT_API_KEY and COPILOT_API_PASSWORD", errUsage)
	}
	if !c.poll && c.secret == "" {
		return nil, fmt.Errorf("%w: set COPILOT_WEBHOOK_SECRET to the signing secret (or use -poll or -demo)", errUsage)
	}
	return c, nil
}

// printUsage writes the help text: the synopsis, the environment
// variables and the flags.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `Usage: copilot-webhook [flags]

Receives Clari Copilot call events as signed webhooks on -addr, or with
-poll by polling Copilot's REST API, and logs each one.

Environment:
  COPILOT_WEBHOOK_SECRET  Standard Webhooks signing secret (webhook mode)
  COPILOT_API_KEY         Copilot API key (-poll)
  COPILOT_API_PASSWORD    Copilot API password (-poll)
  SLACK_WEBHOOK_URL       optional; post one line per completed call

Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// realMain runs the program and returns its exit status: 0, 1 for a
// failure, 2 for a usage error. -h prints the help and exits 0.
func realMain(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "copilot-webhook:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := run(ctx, cfg, logger, nil); err != nil {
		fmt.Fprintln(stderr, "copilot-webhook:", err)
		return 1
	}
	return 0
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}
