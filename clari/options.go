package clari

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// DefaultBaseURL is the base URL of Clari's Revenue API, version 4.
const DefaultBaseURL = "https://api.clari.com/v4"

// Defaults that [NewClient] uses for the options a caller does not set.
const (
	DefaultMaxDownloadSize = 512 << 20 // bytes
	DefaultMaxAttempts     = 5
	DefaultMinRetryWait    = 2 * time.Second
	DefaultMaxRetryWait    = 60 * time.Second
	DefaultPollInterval    = 5 * time.Second
	DefaultMaxPollInterval = 30 * time.Second

	// DefaultRate is the request rate, in requests per second. Clari
	// documents no per-second limit for the export endpoints; 5 per
	// second is a guess that stays well under the limits reported by
	// other clients.
	DefaultRate  = rate.Limit(5)
	DefaultBurst = 5
)

// Option configures a [Client]. Options check their input, so [NewClient]
// returns an error for an invalid value instead of running with it.
type Option func(*Client) error

// WithBaseURL sets the API base URL, including the version path, such as
// "https://api.clari.com/v4" or the URL of a claritest.Server. The URL
// must be absolute http or https and must carry no user information,
// query or fragment, because the API key travels only in the apikey
// header.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("clari: invalid base URL: %w", err)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("clari: invalid base URL %q: use an absolute http or https URL", u.Redacted())
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("clari: invalid base URL %q: remove the user information, query and fragment",
				u.Redacted())
		}
		c.baseURL = strings.TrimSuffix(u.String(), "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client that sends the requests. The client
// is copied and its CheckRedirect replaced so that no redirect is followed:
// Go forwards custom headers such as apikey to the redirect target.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("clari: nil *http.Client: omit WithHTTPClient to use the default client")
		}
		copied := *hc
		copied.CheckRedirect = rejectRedirect
		c.httpClient = &copied
		return nil
	}
}

// WithLogger sets the logger for retries and job progress. A nil logger
// logs nothing, which is also the default.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.log = l
		return nil
	}
}

// WithRateLimit sets the rate of HTTP requests, retries included, in
// requests per second with the given burst. Use [rate.Inf] for no limit.
func WithRateLimit(r rate.Limit, burst int) Option {
	return func(c *Client) error {
		if r != rate.Inf && (r <= 0 || burst < 1) {
			return fmt.Errorf("clari: invalid rate limit %v/s with burst %d: use a positive rate and a burst of at least 1",
				float64(r), burst)
		}
		c.limiter = rate.NewLimiter(r, burst)
		return nil
	}
}

// WithRetry sets how often a failed request is tried and how long the
// client waits between attempts. maxAttempts counts the first attempt,
// so 1 disables retries. Waits grow exponentially from minWait and never
// exceed maxWait, and maxWait also caps a wait that a server requests
// with Retry-After.
func WithRetry(maxAttempts int, minWait, maxWait time.Duration) Option {
	return func(c *Client) error {
		if maxAttempts < 1 {
			return fmt.Errorf("clari: invalid retry attempts %d: use 1 or more", maxAttempts)
		}
		if minWait <= 0 || maxWait < minWait {
			return fmt.Errorf("clari: invalid retry waits %v to %v: use 0 < minWait <= maxWait", minWait, maxWait)
		}
		c.maxAttempts, c.minRetryWait, c.maxRetryWait = maxAttempts, minWait, maxWait
		return nil
	}
}

// WithPollInterval sets the wait between job status polls: it starts at
// initial, grows by half after each poll and stops growing at max.
func WithPollInterval(initial, max time.Duration) Option {
	return func(c *Client) error {
		if initial <= 0 || max < initial {
			return fmt.Errorf("clari: invalid poll interval %v to %v: use 0 < initial <= max", initial, max)
		}
		c.pollInitial, c.pollMax = initial, max
		return nil
	}
}

// WithMaxDownloadSize sets the largest export download accepted, in bytes.
// A larger download fails with [ErrTooLarge].
func WithMaxDownloadSize(n int64) Option {
	return func(c *Client) error {
		if n < 1 {
			return fmt.Errorf("clari: invalid max download size %d: use a positive number of bytes", n)
		}
		c.maxDownload = n
		return nil
	}
}

// WithAllowTruncated sets whether [Client.Export] accepts a job that Clari
// flagged rowsTruncated or cellsTruncated. By default such a job fails
// with [ErrTruncated], because its data is incomplete.
func WithAllowTruncated(allow bool) Option {
	return func(c *Client) error {
		c.allowTruncated = allow
		return nil
	}
}

// rejectRedirect stops the HTTP client at the first redirect, so that the
// apikey header is never sent to another URL.
func rejectRedirect(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}
