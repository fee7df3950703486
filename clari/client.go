package clari

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// maxErrorBody and maxJSONBody cap how much of a response body is read:
// the first for error bodies, the second for job and limits objects.
const (
	maxErrorBody = 1 << 20
	maxJSONBody  = 16 << 20
)

// Client calls Clari's forecast export API. It is safe for concurrent use
// by multiple goroutines. Create one with [NewClient].
//
// The API key travels only in the apikey header. It appears in no URL,
// error or log line, and String, GoString and LogValue redact it.
type Client struct {
	key            secret
	baseURL        string
	httpClient     *http.Client
	log            *slog.Logger
	limiter        *rate.Limiter
	maxAttempts    int
	minRetryWait   time.Duration
	maxRetryWait   time.Duration
	pollInitial    time.Duration
	pollMax        time.Duration
	maxDownload    int64
	allowTruncated bool
	rc             *retryablehttp.Client

	// sleep waits for d or until ctx is done; tests replace it so that no
	// test waits on a real timer.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a number in [0, 1).
	jitter func() float64
}

var (
	_ fmt.Stringer   = (*Client)(nil)
	_ fmt.GoStringer = (*Client)(nil)
	_ slog.LogValuer = (*Client)(nil)
)

// NewClient returns a client that authenticates with apiKey, a Clari API
// token. Without options it calls [DefaultBaseURL] with the Default*
// settings of this package and logs nothing.
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	if apiKey == "" {
		return nil, errors.New("clari: empty API key: pass the token from Clari's Settings, API Token page")
	}
	if err := checkKeyText(apiKey); err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = 2 * time.Minute
	c := &Client{
		key:          secret(apiKey),
		baseURL:      DefaultBaseURL,
		httpClient:   &http.Client{Transport: transport, CheckRedirect: rejectRedirect},
		log:          slog.New(slog.DiscardHandler),
		limiter:      rate.NewLimiter(DefaultRate, DefaultBurst),
		maxAttempts:  DefaultMaxAttempts,
		minRetryWait: DefaultMinRetryWait,
		maxRetryWait: DefaultMaxRetryWait,
		pollInitial:  DefaultPollInterval,
		pollMax:      DefaultMaxPollInterval,
		maxDownload:  DefaultMaxDownloadSize,
		sleep:        sleepContext,
		jitter:       rand.Float64,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	c.rc = c.newRetryClient()
	return c, nil
}

// checkKeyText rejects a key that cannot travel as an HTTP header value
// unchanged. Without this check every request would fail in the transport
// and, for GETs, be retried as if the network had failed. The error does
// not quote the key.
func checkKeyText(key string) error {
	if strings.TrimSpace(key) != key {
		return errors.New("clari: API key has leading or trailing spaces: pass the token exactly as Clari shows it")
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < ' ' || c == 0x7f {
			return fmt.Errorf("clari: API key has control byte %#02x at offset %d: pass the token exactly as Clari shows it", c, i)
		}
	}
	return nil
}

// String describes the client with its API key redacted.
func (c *Client) String() string {
	return fmt.Sprintf("clari.Client{baseURL: %s, apikey: %s}", c.baseURL, c.key)
}

// GoString is String, so that %#v redacts the API key too.
func (c *Client) GoString() string { return c.String() }

// LogValue logs the client as its base URL with the API key redacted.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.baseURL), slog.Any("apikey", c.key))
}

// secret is a string that never prints.
type secret string

const redacted = "[REDACTED]"

func (secret) String() string               { return redacted }
func (secret) GoString() string             { return redacted }
func (secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// request describes one API call. endpoint is the path template used in
// errors and logs; path is the escaped path appended to the base URL.
type request struct {
	method     string
	endpoint   string
	path       string
	jobID      string
	body       []byte
	idempotent bool
}

// do sends r through the retrying client and returns a 2xx response whose
// body the caller must close, or an error. A non-2xx response becomes an
// *APIError.
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	st := &callState{req: r}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	var body any
	if r.body != nil {
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, c.baseURL+r.path, body)
	if err != nil {
		return nil, fmt.Errorf("clari: %s %s: %w", r.method, r.endpoint, err)
	}
	req.Header.Set("apikey", string(c.key))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "clariwatch")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, fmt.Errorf("clari: %s %s: waiting for the request rate limit: %w", r.method, r.endpoint, err)
	}
	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, fmt.Errorf("clari: %s %s failed after %d attempt(s): %w",
			r.method, r.endpoint, st.attempts, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, c.readAPIError(r, resp, st.attempts)
	}
	return resp, nil
}

// getJSON sends r and decodes the JSON response body into v.
func (c *Client) getJSON(ctx context.Context, r request, v any) error {
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody+1))
	if err != nil {
		return fmt.Errorf("clari: %s %s: reading the response: %w", r.method, r.endpoint, err)
	}
	if len(data) > maxJSONBody {
		return fmt.Errorf("clari: %s %s: response larger than %d bytes", r.method, r.endpoint, maxJSONBody)
	}
	data = bytes.TrimSpace(data)
	if err := json.Unmarshal(data, v); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return fmt.Errorf("clari: %s %s: invalid JSON response at byte %d of %d: %w",
				r.method, r.endpoint, syntaxErr.Offset, len(data), err)
		}
		return fmt.Errorf("clari: %s %s: invalid JSON response: %w", r.method, r.endpoint, err)
	}
	return nil
}

// sleepContext waits for d or until ctx is done, whichever comes first.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
