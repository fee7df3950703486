package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Standard Webhooks header names, set on every request of a [Webhook].
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// DefaultWebhookRate is the default pace of a [Webhook]: messages a
// second to one URL.
const DefaultWebhookRate = 5

// ErrGone is matched with [errors.Is] by the *WebhookError of a 410 Gone
// response. It means the receiver unsubscribed, so stop sending to it.
var ErrGone = errors.New("notify: webhook receiver is gone (410)")

// WebhookOptions configures [NewWebhook]. Secret or SecretBytes is
// required.
type WebhookOptions struct {
	// Name is used in errors and log lines instead of the URL. Empty
	// means "webhook".
	Name string
	// Secret is the signing secret in the Standard Webhooks form: "whsec_"
	// and base64, or base64 alone.
	Secret string
	// SecretBytes is the raw signing key; it is used when Secret is empty.
	SecretBytes []byte
	// Rate is the pace in messages a second, shared by every sender to the
	// same URL. Zero means DefaultWebhookRate.
	Rate float64
	// HTTPClient sends the requests. Nil means a client with a 15 s
	// timeout that does not follow redirects.
	HTTPClient *http.Client
	// Logger receives retries. Nil logs nothing.
	Logger *slog.Logger
	// Clock stamps signatures, paces sends and waits between retries. Nil
	// means the system clock.
	Clock Clock
	RetryOptions
}

// Webhook posts each message as a [JSONMessage] to a URL, signed with the
// Standard Webhooks scheme: webhook-id is the message key, webhook-timestamp
// the Unix time in seconds of the attempt, and webhook-signature
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>". Any 2xx response is
// success. Webhook is safe for concurrent use.
type Webhook struct {
	sender *httpSender
	key    []byte
}

var _ Notifier = (*Webhook)(nil)

// NewWebhook returns a signed JSON sender to url. The URL and the secret
// appear in no error or log line. The URL must use https, or http with a
// loopback host (127.0.0.0/8, ::1, localhost) for tests and emulators.
func NewWebhook(url string, opts *WebhookOptions) (*Webhook, error) {
	if opts == nil {
		opts = &WebhookOptions{}
	}
	key := opts.SecretBytes
	if opts.Secret != "" {
		var err error
		if key, err = ParseWebhookSecret(opts.Secret); err != nil {
			return nil, err
		}
	}
	if len(key) == 0 {
		return nil, errors.New("notify: webhook signing secret missing: set WebhookOptions.Secret (whsec_...) or SecretBytes")
	}
	_, red, err := parseSecretURL("webhook", url)
	if err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		name = "webhook"
	}
	cfg := buildRetryConfig(name, opts.HTTPClient, opts.Logger, opts.Clock, opts.RetryOptions)
	cfg.limit, cfg.burst = rate.Limit(DefaultWebhookRate), DefaultWebhookRate
	if opts.Rate > 0 {
		cfg.limit, cfg.burst = rate.Limit(opts.Rate), max(1, int(opts.Rate))
	}
	return &Webhook{sender: newHTTPSender(url, red, cfg), key: key}, nil
}

// ParseWebhookSecret decodes a Standard Webhooks secret: an optional
// "whsec_" prefix, then standard base64. The error does not show the secret.
func ParseWebhookSecret(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
	if err != nil {
		return nil, errors.New("notify: webhook secret is not valid base64 after the whsec_ prefix: copy it again from the receiver")
	}
	if len(key) == 0 {
		return nil, errors.New("notify: webhook secret is empty: set a whsec_ secret")
	}
	return key, nil
}

// SignWebhook returns the webhook-signature value for one delivery:
// "v1," and the base64 HMAC-SHA256, under key, of id, the timestamp in Unix
// seconds and the body, joined by full stops.
func SignWebhook(key []byte, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Name returns the name used in errors and log lines.
func (w *Webhook) Name() string { return w.sender.cfg.name }

// Notify posts m. Each retry is signed again with the time of the retry
// and the same webhook-id. It returns a *WebhookError for a response
// status other than 2xx.
func (w *Webhook) Notify(ctx context.Context, m *Message) error {
	if err := checkMessage(m); err != nil {
		return err
	}
	body, err := MarshalMessage(m)
	if err != nil {
		return err
	}
	id := DeliveryID(m.Key, body)
	sign := func(r *http.Request) {
		ts := w.sender.cfg.clock.Now().Unix()
		r.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
		r.Header.Set(HeaderWebhookSignature, SignWebhook(w.key, id, ts, body))
	}
	header := http.Header{
		"Content-Type": {"application/json"},
		"Webhook-Id":   {id},
	}
	resp, err := w.sender.post(ctx, body, header, sign)
	if err != nil {
		return fmt.Errorf("notify: %s: message %q: %w", w.Name(), m.Key, err)
	}
	if resp.status/100 != 2 {
		return &WebhookError{StatusCode: resp.status, Body: resp.body, RetryAfter: resp.retryAfter,
			Attempts: max(resp.attempts, 1), Key: m.Key}
	}
	return nil
}

// DeliveryID returns the webhook-id for a message. That is the key itself
// when it is 1 to 200 characters of letters, digits and "_-:/=+@".
// Otherwise it is "msg_" and 32 hex digits of the SHA-256 of the key, or
// of the body when the key is empty. Full stops are never kept because the
// signed content joins parts with them.
func DeliveryID(key string, body []byte) string {
	if key == "" {
		sum := sha256.Sum256(body)
		return "msg_" + hex.EncodeToString(sum[:16])
	}
	if len(key) <= 200 && strings.Trim(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:/=+@") == "" {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "msg_" + hex.EncodeToString(sum[:16])
}

// WebhookError is a failed response from a generic webhook receiver.
type WebhookError struct {
	StatusCode int
	// Body is the start of the response body.
	Body       string
	RetryAfter time.Duration
	Attempts   int
	// Key is the message key.
	Key string
}

// Error describes the failure. It contains no URL.
func (e *WebhookError) Error() string {
	what := "the receiver rejected the message; check its logs"
	switch {
	case e.StatusCode == http.StatusGone:
		what = "the receiver is gone; remove this webhook"
	case e.Temporary():
		what = "the receiver failed; retry later"
	case e.StatusCode/100 == 3:
		what = "the receiver redirected; configure the final URL"
	}
	return fmt.Sprintf("notify: webhook returned %d for message %q after %d attempt(s): %s",
		e.StatusCode, e.Key, e.Attempts, what)
}

// Temporary reports whether a later retry can succeed: true for 429 and
// 5xx.
func (e *WebhookError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Is reports whether target is [ErrGone] and the status is 410.
func (e *WebhookError) Is(target error) bool {
	return target == ErrGone && e.StatusCode == http.StatusGone
}
