package copilot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// maxResponseBody caps a decoded success response. A call with its full
// transcript is the largest; 32 MiB leaves ample room.
const maxResponseBody = 32 << 20

// requester sends the requests of a Client or a SubscriptionClient through
// retryablehttp, the rate limiter and the budget.
type requester struct {
	baseURL string
	http    *retryablehttp.Client
	auth    func(http.Header)
	secrets []string
	logger  *slog.Logger
	policy  RetryPolicy
	now     func() time.Time
}

func newRequester(cfg *config, auth func(http.Header), secrets []string) *requester {
	r := &requester{
		baseURL: cfg.baseURL,
		auth:    auth,
		secrets: secrets,
		logger:  cfg.logger,
		policy:  cfg.retry,
		now:     cfg.now,
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient
		hc = &copied
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	lt := &limitedTransport{base: base, limiter: rate.NewLimiter(cfg.rateLimit, cfg.burst)}
	if cfg.budget > 0 {
		lt.budget = &weeklyBudget{limit: cfg.budget, now: cfg.now}
	}
	hc.Transport = lt
	hc.CheckRedirect = sameOriginRedirect(hc.CheckRedirect)
	r.http = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // its logger prints URLs; the package logs itself
		RetryWaitMin: cfg.retry.MinWait,
		RetryWaitMax: cfg.retry.MaxWait,
		RetryMax:     cfg.retry.MaxRetries,
		CheckRetry:   r.checkRetry,
		Backoff:      r.backoff,
		ErrorHandler: passResponse,
	}
	return r
}

// passResponse hands the last response to the caller, which turns it into
// an *APIError, and strips the URL from a transport error.
func passResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, unwrapURLError(err)
	}
	return resp, nil
}

// do sends one request and decodes a JSON response into out, unless out is
// nil. path starts with a slash, and errors name the request "METHOD path".
func (r *requester) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	return r.doOperation(ctx, method+" "+path, method, path, query, body, out)
}

// doOperation is do with op naming the request in errors, such as "list
// subscriptions". path may be empty for the base URL itself.
func (r *requester) doOperation(ctx context.Context, op, method, path string, query url.Values, body, out any) error {
	info := requestInfo{method: method, path: path}
	if path == "" {
		info.path = "/"
	}
	req, err := r.newRequest(ctx, info, query, body)
	if err != nil {
		return err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return fmt.Errorf("copilot: %s: %w", op, errContext(ctx, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp, r.secrets)
		r.logger.LogAttrs(ctx, slog.LevelWarn, "copilot: request failed",
			slog.String("operation", op), slog.String("method", method),
			slog.String("path", info.path), slog.Int("status", resp.StatusCode))
		return fmt.Errorf("copilot: %s: %w", op, apiErr)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBody)).Decode(out); err != nil {
		return fmt.Errorf("copilot: %s: decoding the response: %w", op, err)
	}
	return nil
}

func (r *requester) newRequest(ctx context.Context, info requestInfo, query url.Values, body any) (*retryablehttp.Request, error) {
	target := r.baseURL + info.path
	if info.path == "/" {
		target = r.baseURL
	}
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var payload any
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("copilot: encoding the %s %s body: %w", info.method, info.path, err)
		}
		payload = bytes.NewReader(b)
	}
	ctx = context.WithValue(ctx, requestInfoKey{}, info)
	req, err := retryablehttp.NewRequestWithContext(ctx, info.method, target, payload)
	if err != nil {
		return nil, fmt.Errorf("copilot: building the %s %s request: %w", info.method, info.path, unwrapURLError(err))
	}
	r.auth(req.Header)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// sameOriginRedirect rejects a redirect to another scheme, host or port,
// because net/http copies custom headers such as X-Api-Key and
// X-Api-Password to any redirect target, and keeps Authorization on a
// same-host downgrade from https to http. The 3xx response is then returned as an [APIError]. Redirects
// within the origin go to next, or follow the net/http default when next is
// nil.
func sameOriginRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("copilot: stopped after 10 redirects")
		}
		return nil
	}
}
