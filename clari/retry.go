package clari

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultRetryAfter is the wait after a 429 response that carries no
// usable Retry-After header.
const DefaultRetryAfter = 20 * time.Second

// Retry policy
//
// A GET or the cancel PATCH is retried on 429, on 5xx other than 501 and
// on connection errors. The export POST uses monthly quota on every
// request that reaches Clari. It is therefore retried only when the server
// provably did not start it. That is the case on a 429, which rejects the
// request, and on a failure to dial, which means the request was never
// sent. A POST that
// ends in a 5xx, a timeout or a reset connection may have started a job,
// so it fails and the caller decides; [Client.Export] with
// ExportOptions.ResumeJobID resumes a job whose id was stored.

// callState carries one call's retry bookkeeping through the request's
// context, because retryablehttp's hooks are shared by every call.
type callState struct {
	req      request
	attempts int
	wait     time.Duration
	reason   string
}

type callStateKey struct{}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		st = &callState{}
	}
	return st
}

// newRetryClient builds the retryablehttp client. Backoff returns 0
// because the wait happens in PrepareRetry, where the request's context
// is available: the wait then ends when the context is cancelled, and
// tests can replace the clock.
func (c *Client) newRetryClient() *retryablehttp.Client {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient = c.httpClient
	rc.RetryMax = c.maxAttempts - 1
	rc.RetryWaitMin, rc.RetryWaitMax = c.minRetryWait, c.maxRetryWait
	rc.CheckRetry = c.checkRetry
	rc.Backoff = func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 }
	rc.PrepareRetry = c.prepareRetry
	rc.ErrorHandler = passLastError
	return rc
}

// checkRetry decides whether an attempt is retried and, if so, records the
// wait before the next one.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	st := stateFrom(ctx)
	st.attempts++
	retry := false
	switch {
	case err != nil:
		retry = retryableTransportError(err, st.req.idempotent)
		st.reason = errorWithoutURL(err).Error()
	case resp.StatusCode == http.StatusTooManyRequests:
		retry = true
		st.reason = resp.Status
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		retry = st.req.idempotent
		st.reason = resp.Status
	}
	if retry {
		st.wait = retryWait(c.minRetryWait, c.maxRetryWait, st.attempts-1, resp, c.jitter(), time.Now())
	}
	return retry, nil
}

// prepareRetry waits the recorded time and the rate limiter before a
// retry, and logs it.
func (c *Client) prepareRetry(req *http.Request) error {
	ctx := req.Context()
	st := stateFrom(ctx)
	attrs := []any{"method", st.req.method, "endpoint", st.req.endpoint}
	if st.req.jobID != "" {
		attrs = append(attrs, "job_id", st.req.jobID)
	}
	attrs = append(attrs, "attempt", st.attempts+1, "max_attempts", c.maxAttempts, "wait", st.wait, "reason", st.reason)
	c.log.WarnContext(ctx, "clari: retrying request", attrs...)
	if err := c.sleep(ctx, st.wait); err != nil {
		return err
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return fmt.Errorf("waiting for the request rate limit: %w", err)
	}
	return nil
}

// passLastError returns the last response and error unchanged, except that
// a *url.Error loses its URL.
func passLastError(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err != nil {
		err = errorWithoutURL(err)
	}
	return resp, err
}

// errorWithoutURL replaces a *url.Error, whose message contains the full
// request URL, with its operation and cause.
func errorWithoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// retryableTransportError reports whether a request that failed without a
// response may be sent again. A non-idempotent request is retried only
// when the connection was never made.
func retryableTransportError(err error, idempotent bool) bool {
	var certErr *tls.CertificateVerificationError
	var authErr x509.UnknownAuthorityError
	if errors.As(err, &certErr) || errors.As(err, &authErr) {
		return false
	}
	if idempotent {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// retryWait returns the wait before retry number attempt+1 (attempt counts
// from 0). A 429 waits for the time Retry-After requests, or [DefaultRetryAfter] when
// the header is missing or invalid; anything else waits min·2^attempt with
// equal jitter: half fixed, half random. Every wait is capped at max.
// random is a number in [0, 1); now is used for an HTTP-date Retry-After.
func retryWait(min, max time.Duration, attempt int, resp *http.Response, random float64, now time.Time) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now)
		if !ok {
			d = DefaultRetryAfter
		}
		return capWait(d, max)
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	d = capWait(d, max)
	return d/2 + time.Duration(random*float64(d/2))
}

func capWait(d, max time.Duration) time.Duration {
	if d > max || d < 0 {
		return max
	}
	return d
}

// parseRetryAfter parses a Retry-After value in seconds or as an HTTP
// date. A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(time.Duration(1<<62)/time.Second) {
			return time.Duration(1 << 62), true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}
