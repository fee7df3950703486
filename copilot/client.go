package copilot

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// DefaultBaseURL is the base URL of Copilot's REST API.
const DefaultBaseURL = "https://rest-api.copilot.clari.com"

// DefaultRateLimit is the default request rate of a [Client], in requests
// per second: Copilot's documented per-workspace limit.
const DefaultRateLimit = 10

// Client calls Copilot's REST API: calls, call details and users. It sends
// the X-Api-Key and X-Api-Password headers on every request, waits for a
// token bucket limiter before each attempt (retries included), counts each
// attempt against the optional weekly budget, and retries as described on
// [RetryPolicy]. No error or log line of a Client contains the key or the
// password.
//
// A Client is safe for concurrent use.
type Client struct {
	req *requester
}

// Option configures a [Client] or a [SubscriptionClient]. An option returns
// an error for an invalid value, and the constructor returns that error.
type Option func(*config) error

type config struct {
	baseURL    string
	httpClient *http.Client
	logger     *slog.Logger
	rateLimit  rate.Limit
	burst      int
	budget     int
	retry      RetryPolicy
	now        func() time.Time
}

func newConfig(baseURL string, opts []Option) (*config, error) {
	cfg := &config{
		baseURL:   baseURL,
		rateLimit: DefaultRateLimit,
		burst:     DefaultRateLimit,
		retry:     DefaultRetryPolicy(),
		now:       time.Now,
	}
	for _, opt := range opts {
		if err := opt(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// WithBaseURL sets the URL that requests go to: the REST base URL of a
// [Client] (default [DefaultBaseURL]) or the subscription endpoint of a
// [SubscriptionClient] (default [DefaultSubscriptionEndpoint]). The URL must
// use https, or http with a loopback host (127.0.0.0/8, ::1, localhost) for
// tests and emulators, because credentials travel in headers.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		if err := checkTargetURL(rawURL); err != nil {
			return fmt.Errorf("copilot: base URL: %w", err)
		}
		c.baseURL = strings.TrimRight(rawURL, "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client that sends requests. Its transport is
// wrapped with the rate limiter and the budget; the client itself is not
// modified. A nil client is an error.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return fmt.Errorf("copilot: WithHTTPClient: nil client; omit the option to use the default")
		}
		c.httpClient = hc
		return nil
	}
}

// WithLogger sets the logger for retries and failures. A nil logger logs
// nothing, which is also the default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithRateLimit sets the request rate in requests per second (default
// [DefaultRateLimit]). The burst is the rate rounded up, at least 1.
// math.Inf(1) disables the limiter. The rate must be positive.
func WithRateLimit(perSecond float64) Option {
	return func(c *config) error {
		if math.IsNaN(perSecond) || perSecond <= 0 {
			return fmt.Errorf("copilot: rate limit %v: must be a positive number of requests per second", perSecond)
		}
		if math.IsInf(perSecond, 1) {
			c.rateLimit, c.burst = rate.Inf, 1
			return nil
		}
		c.rateLimit = rate.Limit(perSecond)
		c.burst = max(1, int(math.Ceil(perSecond)))
		return nil
	}
}

// WithWeeklyBudget sets a budget of n requests per week, counted per
// process. Copilot allows 100,000 requests a week, the week starting on
// Sunday at 00:00 UTC; this budget resets at the same moment. Each attempt
// counts, retries included. When the budget is spent, requests fail with
// [ErrBudgetExhausted] without being sent. n must be positive; without the
// option no budget applies.
func WithWeeklyBudget(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("copilot: weekly budget %d: must be positive", n)
		}
		c.budget = n
		return nil
	}
}

// NewClient returns a client of Copilot's REST API for the workspace key
// and password. Both must be non-empty.
func NewClient(apiKey, apiPassword string, opts ...Option) (*Client, error) {
	if apiKey == "" || apiPassword == "" {
		return nil, fmt.Errorf("copilot: API key and password must both be set (Workspace settings, Integrations, Clari Copilot API)")
	}
	cfg, err := newConfig(DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	auth := func(h http.Header) {
		h.Set("X-Api-Key", apiKey)
		h.Set("X-Api-Password", apiPassword)
	}
	return &Client{req: newRequester(cfg, auth, []string{apiKey, apiPassword})}, nil
}

// checkTargetURL accepts an absolute https URL, or http with a loopback host.
func checkTargetURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("invalid URL: %w", err)
	}
	if u.Host == "" {
		return fmt.Errorf("URL %q has no host; use an absolute https URL", u.Redacted())
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("http URL with host %q: use https (http is allowed only for loopback hosts)", u.Hostname())
	default:
		return fmt.Errorf("URL scheme %q: use https", u.Scheme)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errContext is the error of a request whose context ended, for callers
// that compare with errors.Is(err, context.Canceled).
func errContext(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
