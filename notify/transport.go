package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Retry defaults shared by [Slack] and [Webhook].
const (
	DefaultRetryMax      = 4
	DefaultRetryWaitMin  = time.Second
	DefaultRetryWaitMax  = 30 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
	DefaultHTTPTimeout   = 15 * time.Second
	maxResponseBody      = 1024
)

// retryConfig is the part of the options that both senders share.
type retryConfig struct {
	name          string
	httpClient    *http.Client
	logger        *slog.Logger
	clock         Clock
	retryMax      int
	waitMin       time.Duration
	waitMax       time.Duration
	maxRetryAfter time.Duration
	limit         rate.Limit
	burst         int
}

// httpSender posts bodies to one secret URL through go-retryablehttp and
// the URL's shared pacer.
type httpSender struct {
	cfg    retryConfig
	url    string
	red    *redactor
	pacer  *pacer
	client *retryablehttp.Client
}

// response is the part of the last HTTP response that the sender keeps.
type response struct {
	status     int
	body       string
	header     http.Header
	attempts   int
	retryAfter time.Duration
}

// attempt is the state of one post across its retries. It travels in the
// request's context because go-retryablehttp's hooks receive only that.
type attempt struct {
	count      int
	wait       time.Duration
	retryAfter time.Duration
	prepare    func(*http.Request)
}

type attemptKey struct{}

// parseSecretURL accepts an absolute https URL, or an http URL whose host
// is loopback (127.0.0.0/8, ::1, localhost) for tests and local emulators.
// Plain http to any other host would send the secret URL and the message
// in clear text.
func parseSecretURL(kind, raw string) (*url.URL, *redactor, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// The URL is a secret, so neither it nor url.Parse's error, which
		// quotes it, is shown.
		return nil, nil, fmt.Errorf("notify: invalid %s URL: want an absolute https URL", kind)
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		// The scheme and host are not secret; the path and query may be.
		return nil, nil, fmt.Errorf("notify: %s URL has scheme http and host %q: use https "+
			"(http is allowed only for loopback hosts such as 127.0.0.1 or localhost)", kind, u.Hostname())
	}
	return u, newRedactor(u, raw), nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newHTTPSender(rawURL string, red *redactor, cfg retryConfig) *httpSender {
	s := &httpSender{cfg: cfg, url: rawURL, red: red, pacer: pacerFor(rawURL, cfg.limit, cfg.burst)}
	c := retryablehttp.NewClient()
	c.Logger = nil // its default logger prints the URL
	c.HTTPClient = cfg.httpClient
	c.RetryMax = cfg.retryMax
	c.CheckRetry = s.checkRetry
	c.Backoff = func(time.Duration, time.Duration, int, *http.Response) time.Duration {
		return 0 // prepareRetry waits, on the injected clock
	}
	c.PrepareRetry = s.prepareRetry
	c.ErrorHandler = func(resp *http.Response, err error, _ int) (*http.Response, error) {
		return resp, err
	}
	s.client = c
	return s
}

func defaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout: DefaultHTTPTimeout,
		// Webhook receivers respond directly, so a redirect is a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// post sends body once, with retries, and returns the last response. The
// error is non-nil only when no response came back; it holds no secret.
func (s *httpSender) post(ctx context.Context, body []byte, header http.Header, prepare func(*http.Request)) (*response, error) {
	st := &attempt{prepare: prepare}
	ctx = context.WithValue(ctx, attemptKey{}, st)
	if err := s.pacer.wait(ctx, s.cfg.clock); err != nil {
		return nil, fmt.Errorf("notify: %s: waiting for the rate limiter: %w", s.cfg.name, err)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, s.url, body)
	if err != nil {
		return nil, fmt.Errorf("notify: %s: building request: %w", s.cfg.name, s.red.error(err))
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if prepare != nil {
		prepare(req.Request)
	}
	resp, err := s.do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, fmt.Errorf("notify: %s: request failed after %d attempt(s): %w",
			s.cfg.name, max(st.count, 1), s.red.error(err))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	return &response{
		status: resp.StatusCode, body: s.red.string(strings.ToValidUTF8(string(b), "\uFFFD")),
		header: resp.Header, attempts: st.count, retryAfter: st.retryAfter,
	}, nil
}

// do sends req with retries. A panic in the HTTP client or its transport
// is raised again with the URL removed from its message, because the panic
// value may quote the request URL and callers such as [Multi] show it.
func (s *httpSender) do(req *retryablehttp.Request) (*http.Response, error) {
	defer func() {
		if v := recover(); v != nil {
			panic(fmt.Sprintf("notify: %s: panic while sending: %s", s.cfg.name, s.red.string(fmt.Sprint(v))))
		}
	}()
	return s.client.Do(req)
}

// checkRetry is the retry policy: transport errors that may pass, 429 and
// 5xx other than 501 are retried; everything else is final.
func (s *httpSender) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st, _ := ctx.Value(attemptKey{}).(*attempt)
	if st == nil {
		st = &attempt{}
	}
	st.count++
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	now := s.cfg.clock.Now()
	switch {
	case err != nil:
		if retry, perr := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return false, perr
		}
		st.wait = s.backoff(st.count, s.cfg.waitMin)
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusServiceUnavailable:
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
			st.retryAfter = ra
			st.wait = min(ra, s.cfg.maxRetryAfter)
		} else {
			// A 429 without Retry-After, such as Slack's
			// message_limit_exceeded, waits at least a second, growing.
			st.wait = s.backoff(st.count, max(s.cfg.waitMin, time.Second))
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			s.pacer.hold(now, st.wait)
		}
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		st.wait = s.backoff(st.count, s.cfg.waitMin)
	default:
		return false, nil
	}
	if st.count <= s.cfg.retryMax {
		s.logRetry(ctx, st, resp, err)
	}
	return true, nil
}

// logRetry logs one retry. It logs a transport error as "error", and a
// response as its "status" plus, when the body is an error code such as
// Slack's "rollup_error", that "code". Other bodies are left out, because
// a receiver may return a long HTML page.
func (s *httpSender) logRetry(ctx context.Context, st *attempt, resp *http.Response, err error) {
	attrs := []slog.Attr{
		slog.String("notifier", s.cfg.name), slog.Int("attempt", st.count),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", s.red.error(err).Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if code := s.peekCode(resp); code != "" {
			attrs = append(attrs, slog.String("code", code))
		}
	}
	attrs = append(attrs, slog.Duration("wait", st.wait))
	s.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "notify: retrying", attrs...)
}

// peekCode returns the response body when it is an error code, or "". It
// reads at most maxResponseBody bytes and puts them back in front of the
// rest of the body, so the caller still reads the whole body.
func (s *httpSender) peekCode(resp *http.Response) string {
	if resp.Body == nil || resp.Body == http.NoBody {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	code := s.red.string(strings.TrimSpace(string(b)))
	if !slackCode.MatchString(code) {
		return ""
	}
	return code
}

// backoff returns base·2^(n-1), capped at the maximum wait.
func (s *httpSender) backoff(n int, base time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < s.cfg.waitMax; i++ {
		d *= 2
	}
	return min(d, max(s.cfg.waitMax, base))
}

// prepareRetry waits before a retry: first the backoff, then the shared
// pacer, so that retries also keep the URL's rate.
func (s *httpSender) prepareRetry(req *http.Request) error {
	ctx := req.Context()
	st, _ := ctx.Value(attemptKey{}).(*attempt)
	if st == nil {
		return nil
	}
	if err := s.cfg.clock.Sleep(ctx, st.wait); err != nil {
		return err
	}
	if err := s.pacer.wait(ctx, s.cfg.clock); err != nil {
		return err
	}
	if st.prepare != nil {
		st.prepare(req)
	}
	return nil
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
