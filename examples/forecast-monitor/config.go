package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/diff"
)

// config is the parsed command line and environment.
type config struct {
	forecast   string
	period     string
	scope      string
	currency   string
	exportFile string
	store      string
	threshold  diff.Amount
	minChange  diff.Amount
	maxAlerts  int
	maxMissing float64
	keep       int
	format     string
	every      time.Duration
	dryRun     bool
	demo       bool
	baseURL    string

	apiKey        string
	slackURL      string
	webhookURL    string
	webhookSecret string
	logLevel      slog.Level
	logOff        bool
}

// minEvery is the minimum -every interval. A tick may run for at most one
// interval, so a shorter interval would cut off Clari export jobs, which
// may run for minutes, and would retry failed ticks with no pause.
const minEvery = time.Minute

// errUsage marks command-line errors, which exit with status 2.
var errUsage = errors.New("usage error")

// amountFlag is a flag.Value that parses a diff.Amount.
type amountFlag struct{ a *diff.Amount }

func (f amountFlag) String() string {
	if f.a == nil {
		return ""
	}
	return f.a.String()
}

func (f amountFlag) Set(s string) error {
	a, err := diff.ParseAmount(s)
	if err != nil {
		// The flag package already names the value, so keep only the reason.
		return errors.New(strings.TrimPrefix(err.Error(), fmt.Sprintf("diff: invalid amount %q: ", s)))
	}
	if a.Sign() < 0 {
		return errors.New("must not be negative")
	}
	*f.a = a
	return nil
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("forecast-monitor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &config{threshold: diff.MustParseAmount("10"), maxMissing: 100 * clariwatch.DefaultMaxMissingOwners}
	fs.StringVar(&c.forecast, "forecast", getenv("CLARI_FORECAST_ID"), "forecast tab `id` to export, such as net_bookings (default $CLARI_FORECAST_ID)")
	fs.StringVar(&c.period, "period", "", "time `period` to export, such as 2026_Q4 (default: the current quarter, as Clari reports it)")
	fs.StringVar(&c.scope, "scope", "", "hierarchy `scope` id to export, such as 1905::MGR (default: the API user's whole scope)")
	fs.StringVar(&c.currency, "currency", "", "currency `code` of the export, such as USD (default: the forecast's currency)")
	fs.StringVar(&c.exportFile, "export-file", "", "read the export from the JSON file at `PATH` instead of the Clari API")
	fs.StringVar(&c.store, "store", "./data", "snapshot store directory `DIR`, created with mode 0700 if missing; DIR/cache keeps data that speeds up the next run")
	fs.Var(amountFlag{&c.threshold}, "threshold", "minimum move to alert on, in `PERCENT` of the previous value")
	fs.Var(amountFlag{&c.minChange}, "min-change", "minimum absolute move to alert on, an `AMOUNT` in the export's currency")
	fs.Float64Var(&c.maxMissing, "max-missing", c.maxMissing, "reject an export that lacks more than this `PERCENT` of the last snapshot's owners as partial; 100 turns the check off")
	fs.IntVar(&c.keep, "keep", clariwatch.DefaultKeepSnapshots, "number `N` of snapshots kept per stream; older ones are deleted after the head moves; -1 keeps all")
	fs.IntVar(&c.maxAlerts, "max-alerts", 10, "maximum number `N` of lines in each list of one alert (changes, reps added, reps removed); the rest are counted")
	fs.StringVar(&c.format, "format", "text", "what to print on stdout per tick: `text` or json (one object per line)")
	fs.DurationVar(&c.every, "every", 0, "loop, one tick every `DURATION` such as 4h, with a ±5 % jitter (default: one tick and exit)")
	fs.BoolVar(&c.dryRun, "dry-run", false, "fetch, compare and print; store nothing, notify nobody, do not move the head")
	fs.BoolVar(&c.demo, "demo", false, "run four ticks against an in-process Clari emulator with bundled exports; no credentials")
	fs.StringVar(&c.baseURL, "base-url", getenv("CLARI_BASE_URL"), "Clari API base `URL`, such as an emulator's (default $CLARI_BASE_URL, else Clari's v4 API)")
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "Usage: forecast-monitor [flags]\n\nFlags:\n")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v; run with -h for the flags", errUsage, err)
	}
	c.apiKey = getenv("CLARI_API_KEY")
	c.slackURL = getenv("SLACK_WEBHOOK_URL")
	c.webhookURL = getenv("WEBHOOK_URL")
	c.webhookSecret = getenv("WEBHOOK_SECRET")
	if err := c.check(fs.Args(), getenv("CLARIWATCH_LOG_LEVEL")); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return c, nil
}

// check validates the combination of flags and environment.
func (c *config) check(rest []string, level string) error {
	switch {
	case len(rest) > 0:
		return fmt.Errorf("unexpected argument %q; all options are flags", rest[0])
	case c.store == "" && !c.demo:
		return errors.New("-store is empty; name the snapshot directory, such as ./data")
	case c.format != "text" && c.format != "json":
		return fmt.Errorf("-format %q is invalid; use text or json", c.format)
	case c.maxAlerts < 1:
		return fmt.Errorf("-max-alerts %d is invalid; use 1 or more", c.maxAlerts)
	case c.every < 0 || (c.every > 0 && c.every < minEvery):
		return fmt.Errorf("-every %s is invalid; use %s or more, such as 4h, or leave it out for one tick", c.every, minEvery)
	case c.keep == 0 || c.keep < -1:
		return fmt.Errorf("-keep %d is invalid; use 1 or more, or -1 to keep every snapshot", c.keep)
	case !(c.maxMissing > 0 && c.maxMissing <= 100):
		return fmt.Errorf("-max-missing %v is invalid; use a percent above 0 and at most 100", c.maxMissing)
	case c.demo && (c.exportFile != "" || c.every != 0 || c.dryRun):
		return errors.New("-demo cannot be combined with -export-file, -every or -dry-run")
	case !c.demo && c.exportFile == "" && c.forecast == "":
		return errors.New("-forecast (or CLARI_FORECAST_ID) is required unless -export-file or -demo is used")
	case !c.demo && c.exportFile == "" && c.apiKey == "":
		return errors.New("CLARI_API_KEY is not set; set it to a Clari API token, or use -export-file or -demo")
	case c.webhookURL != "" && c.webhookSecret == "":
		return errors.New("WEBHOOK_URL is set but WEBHOOK_SECRET is not; set the signing secret")
	}
	if c.exportFile != "" && c.forecast == "" {
		c.forecast = "file"
	}
	return c.parseLevel(level)
}

func (c *config) parseLevel(s string) error {
	if s == "" {
		c.logLevel = slog.LevelInfo
		if c.demo {
			c.logLevel = slog.LevelWarn
		}
		return nil
	}
	if strings.EqualFold(s, "off") {
		c.logOff = true
		return nil
	}
	if err := c.logLevel.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("CLARIWATCH_LOG_LEVEL %s is invalid; use debug, info, warn, error or off", strconv.Quote(s))
	}
	return nil
}
