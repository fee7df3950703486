package notify

import (
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// RetryOptions configures the retries of [Slack] and [Webhook]. Zero
// values mean the defaults.
//
// Requests that fail with a connection error, 429 or a 5xx other than 501
// are retried. A 429 or 503 waits for its Retry-After, capped at
// MaxRetryAfter; a 429 without Retry-After waits at least one second,
// doubling. Other waits start at RetryWaitMin and double up to
// RetryWaitMax. Every other status is final.
//
// NOTE: a webhook POST is not idempotent. A retry after a 5xx or a
// connection error may deliver a message twice, which the receiver can
// drop by the message key.
type RetryOptions struct {
	// RetryMax is the number of retries after the first attempt. Zero
	// means DefaultRetryMax; a negative value disables retries.
	RetryMax      int
	RetryWaitMin  time.Duration
	RetryWaitMax  time.Duration
	MaxRetryAfter time.Duration
}

func buildRetryConfig(name string, hc *http.Client, logger *slog.Logger, clock Clock, ro RetryOptions) retryConfig {
	cfg := retryConfig{
		name: name, httpClient: hc, logger: logger, clock: clock,
		retryMax: ro.RetryMax, waitMin: ro.RetryWaitMin, waitMax: ro.RetryWaitMax,
		maxRetryAfter: ro.MaxRetryAfter, limit: rate.Every(time.Second), burst: 1,
	}
	if cfg.httpClient == nil {
		cfg.httpClient = defaultHTTPClient()
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.clock == nil {
		cfg.clock = systemClock{}
	}
	switch {
	case cfg.retryMax == 0:
		cfg.retryMax = DefaultRetryMax
	case cfg.retryMax < 0:
		cfg.retryMax = 0
	}
	if cfg.waitMin <= 0 {
		cfg.waitMin = DefaultRetryWaitMin
	}
	if cfg.waitMax <= 0 {
		cfg.waitMax = DefaultRetryWaitMax
	}
	if cfg.maxRetryAfter <= 0 {
		cfg.maxRetryAfter = DefaultMaxRetryAfter
	}
	return cfg
}
