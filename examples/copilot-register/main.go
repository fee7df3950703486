// Command copilot-register demonstrates managing Clari Copilot webhook
// subscriptions: it registers a target URL for events, lists the
// subscriptions, or deletes one. The bearer token comes from
// COPILOT_WEBHOOK_TOKEN.
//
//	copilot-register -url https://hooks.example.com/webhook -events call.completed,call.analyzed
//	copilot-register -list
//	copilot-register -delete sub_123
//
// Copilot's public REST specification documents no subscription endpoint;
// -endpoint sets the one to use. Exit status 2 means a usage error and 1 a
// failed request.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/clariwatch/clariwatch/copilot"
)

var errUsage = errors.New("usage error")

// command is one parsed invocation.
type command struct {
	url      string
	events   []string
	list     bool
	deleteID string
	endpoint string
	token    string
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (*command, error) {
	fs := flag.NewFlagSet("copilot-register", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a usage error is reported as one line
	c := &command{}
	var events string
	fs.StringVar(&c.url, "url", "", "target `URL` to register (https)")
	fs.StringVar(&events, "events", "call.completed,call.analyzed", "comma-separated `events` to subscribe to")
	fs.BoolVar(&c.list, "list", false, "list the subscriptions")
	fs.StringVar(&c.deleteID, "delete", "", "delete the subscription with this `id`")
	fs.StringVar(&c.endpoint, "endpoint", copilot.DefaultSubscriptionEndpoint, "subscription endpoint `URL`")
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
	actions := 0
	for _, set := range []bool{c.url != "", c.list, c.deleteID != ""} {
		if set {
			actions++
		}
	}
	if actions != 1 {
		return nil, fmt.Errorf("%w: give exactly one of -url, -list or -delete", errUsage)
	}
	for _, e := range strings.Split(events, ",") {
		if e = strings.TrimSpace(e); e != "" {
			c.events = append(c.events, e)
		}
	}
	if c.url != "" {
		// The library's own check, so that the program and Register never
		// disagree about what a valid target and event list are.
		if err := copilot.ValidateSubscription(c.url, c.events); err != nil {
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
	}
	c.token = getenv("COPILOT_WEBHOOK_TOKEN")
	if c.token == "" {
		return nil, fmt.Errorf("%w: set COPILOT_WEBHOOK_TOKEN to the subscription API token", errUsage)
	}
	return c, nil
}

// printUsage writes the help text: the synopsis, the environment variable
// and the flags.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `Usage: copilot-register -url URL [-events LIST] | -list | -delete ID [-endpoint URL]

Registers, lists or deletes Clari Copilot webhook subscriptions.

Environment:
  COPILOT_WEBHOOK_TOKEN  bearer token of the subscription endpoint

Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// execute runs the command and writes its result to stdout.
func execute(ctx context.Context, c *command, stdout io.Writer) error {
	client, err := copilot.NewSubscriptionClient(c.token, copilot.WithBaseURL(c.endpoint))
	if err != nil {
		return err
	}
	switch {
	case c.list:
		subs, err := client.List(ctx)
		if err != nil {
			return err
		}
		for _, s := range subs {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", s.ID, s.URL, strings.Join(s.Events, ","))
		}
	case c.deleteID != "":
		if err := client.Delete(ctx, c.deleteID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted %s\n", c.deleteID)
	default:
		s, err := client.Register(ctx, c.url, c.events)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "registered %s for %s\n", s.ID, strings.Join(s.Events, ","))
	}
	return nil
}

// realMain returns the exit status.
func realMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, err := parse(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "copilot-register:", err)
		return 2
	}
	if err := execute(ctx, c, stdout); err != nil {
		fmt.Fprintln(stderr, "copilot-register:", err)
		return 1
	}
	return 0
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
