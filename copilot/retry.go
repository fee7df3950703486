package copilot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy sets when and how long a [Client] or a [SubscriptionClient]
// waits before it sends a request again.
//
// A 429 response is retried for every method, after the Retry-After delay
// (seconds or an HTTP date) capped at RetryAfterMax, or after
// RetryAfterDefault when the header is missing or invalid. GET and DELETE
// requests are also retried on 5xx responses other than 501 and on
// connection errors, after an exponential backoff from MinWait, doubling up
// to MaxWait, with random jitter of up to half the delay. POST requests are
// not retried on 5xx or connection errors, because the server may have
// acted on them. Other 4xx responses are never retried.
type RetryPolicy struct {
	MaxRetries        int           // retries after the first attempt
	MinWait           time.Duration // first backoff delay
	MaxWait           time.Duration // maximum backoff delay
	RetryAfterDefault time.Duration // delay after a 429 without Retry-After
	RetryAfterMax     time.Duration // maximum delay taken from Retry-After
}

// DefaultRetryPolicy returns the policy used without [WithRetry]: 4
// retries, backoff from 1 s to 30 s, 10 s after a 429 without Retry-After,
// and Retry-After capped at 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:        4,
		MinWait:           time.Second,
		MaxWait:           30 * time.Second,
		RetryAfterDefault: 10 * time.Second,
		RetryAfterMax:     60 * time.Second,
	}
}

// WithRetry sets the retry policy. MaxRetries must be between 0 and 20,
// MinWait positive and at most MaxWait, and RetryAfterDefault positive and
// at most RetryAfterMax.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if err := p.validate(); err != nil {
			return err
		}
		c.retry = p
		return nil
	}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxRetries < 0 || p.MaxRetries > 20:
		return fmt.Errorf("copilot: retry policy: MaxRetries %d must be between 0 and 20", p.MaxRetries)
	case p.MinWait <= 0 || p.MinWait > p.MaxWait:
		return fmt.Errorf("copilot: retry policy: MinWait %v must be positive and at most MaxWait %v", p.MinWait, p.MaxWait)
	case p.RetryAfterDefault <= 0 || p.RetryAfterDefault > p.RetryAfterMax:
		return fmt.Errorf("copilot: retry policy: RetryAfterDefault %v must be positive and at most RetryAfterMax %v",
			p.RetryAfterDefault, p.RetryAfterMax)
	}
	return nil
}

// requestInfo travels in the request context so that the retry policy and
// its log lines know the method and path even when no response came back.
type requestInfo struct {
	method string
	path   string
}

type requestInfoKey struct{}

func (i requestInfo) idempotent() bool {
	return i.method == http.MethodGet || i.method == http.MethodDelete
}

// permanentError marks an error raised before sending (rate limiter,
// budget) that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// checkRetry is the retryablehttp.CheckRetry of the package.
func (r *requester) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	info, _ := ctx.Value(requestInfoKey{}).(requestInfo)
	if err != nil {
		var perm *permanentError
		if errors.As(err, &perm) || !info.idempotent() || !transient(ctx, err) {
			return false, err
		}
		r.logger.LogAttrs(ctx, slog.LevelWarn, "copilot: retrying request",
			slog.String("method", info.method), slog.String("path", info.path),
			slog.String("error", unwrapURLError(err).Error()))
		return true, nil
	}
	retry := resp.StatusCode == http.StatusTooManyRequests ||
		(info.idempotent() && resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented)
	if retry {
		r.logger.LogAttrs(ctx, slog.LevelWarn, "copilot: retrying request",
			slog.String("method", info.method), slog.String("path", info.path),
			slog.Int("status", resp.StatusCode))
	}
	return retry, nil
}

// backoff is the retryablehttp.Backoff of the package; the min and max
// arguments are ignored in favour of the policy.
func (r *requester) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	p := r.policy
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), r.now())
		if !ok {
			return p.RetryAfterDefault
		}
		return min(d, p.RetryAfterMax)
	}
	d := p.MaxWait
	if attempt < 30 {
		d = min(p.MinWait<<attempt, p.MaxWait)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(24*time.Hour/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// unwrapURLError drops the *url.Error layer, whose message repeats the
// request URL with its query.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// transient reports whether a transport error may pass on a retry. It
// defers to retryablehttp's default policy, which gives up on an invalid
// header value (such as a key with a newline), an unsupported scheme, too
// many redirects and an untrusted TLS certificate.
func transient(ctx context.Context, err error) bool {
	retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	return retry
}
