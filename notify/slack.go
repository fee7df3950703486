package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// SlackOptions configures [NewSlack]. A nil *SlackOptions means the
// defaults.
type SlackOptions struct {
	// Name is used in errors and log lines instead of the URL. Empty
	// means "slack".
	Name string
	// HTTPClient sends the requests. Nil means a client with a 15 s
	// timeout that does not follow redirects.
	HTTPClient *http.Client
	// Logger receives retries. Nil logs nothing.
	Logger *slog.Logger
	// Clock paces sends and waits between retries. Nil means the system
	// clock.
	Clock Clock
	RetryOptions
}

// Slack sends messages to a Slack incoming webhook as Block Kit payloads.
//
// Sends to one webhook URL are paced at one message a second, shared by
// every Slack value in the process that uses that URL; after a 429 every
// sender to that URL waits for the Retry-After. A message that does not fit
// Slack's limits is sent as several messages, in order (see
// [EncodeSlack]). Slack is safe for concurrent use.
type Slack struct {
	sender *httpSender
}

var _ Notifier = (*Slack)(nil)

// NewSlack returns a sender to the incoming webhook at webhookURL. The URL
// is a secret: no error or log line of the sender contains its path. It
// must use https, or http with a loopback host (127.0.0.0/8, ::1,
// localhost) for tests and emulators.
//
// All senders in the process that post to the same URL share one limiter
// of one message a second. The first sender created for a URL sets its
// rate, and the registry keeps one small entry per URL for the life of
// the process.
func NewSlack(webhookURL string, opts *SlackOptions) (*Slack, error) {
	if opts == nil {
		opts = &SlackOptions{}
	}
	name := opts.Name
	if name == "" {
		name = "slack"
	}
	_, red, err := parseSecretURL("Slack webhook", webhookURL)
	if err != nil {
		return nil, err
	}
	cfg := buildRetryConfig(name, opts.HTTPClient, opts.Logger, opts.Clock, opts.RetryOptions)
	return &Slack{sender: newHTTPSender(webhookURL, red, cfg)}, nil
}

// Name returns the name used in errors and log lines.
func (s *Slack) Name() string { return s.sender.cfg.name }

// Notify sends m as one or more Slack messages, in order. It stops at the
// first part that fails and returns a *SlackError for a response status
// other than 2xx. The parts before it stay posted.
func (s *Slack) Notify(ctx context.Context, m *Message) error {
	payloads, err := EncodeSlack(m)
	if err != nil {
		return err
	}
	header := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for i, p := range payloads {
		resp, err := s.sender.post(ctx, p, header, nil)
		if err != nil {
			return fmt.Errorf("notify: %s: message %q part %d of %d: %w", s.Name(), m.Key, i+1, len(payloads), err)
		}
		if resp.status/100 != 2 {
			return newSlackError(resp, i+1, len(payloads))
		}
	}
	return nil
}

// SlackError is a failed response from a Slack webhook.
type SlackError struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Code is Slack's error code from the body, such as
	// "invalid_payload", "channel_is_archived" or "no_service"; empty if
	// the body held none.
	Code string
	// Body is the start of the response body.
	Body string
	// RetryAfter is the server's last Retry-After, or zero.
	RetryAfter time.Duration
	// Attempts is the number of requests made for this part.
	Attempts int
	// Part and Parts locate the failed payload of a split message.
	Part, Parts int
}

var slackCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,99}$`)

func newSlackError(resp *response, part, parts int) *SlackError {
	body := strings.TrimSpace(resp.body)
	e := &SlackError{
		StatusCode: resp.status, Body: body, RetryAfter: resp.retryAfter,
		Attempts: max(resp.attempts, 1), Part: part, Parts: parts,
	}
	if slackCode.MatchString(body) {
		e.Code = body
	}
	return e
}

// Temporary reports whether a later retry can succeed: true for 429 and
// 5xx, false for the other statuses, which need a change of payload or
// configuration.
func (e *SlackError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Error describes the failure and what to do. It holds no URL.
func (e *SlackError) Error() string {
	code := e.Code
	if code == "" {
		code = fmt.Sprintf("%q", e.Body)
	}
	return fmt.Sprintf("notify: slack webhook returned %d %s (part %d of %d, %d attempt(s)): %s",
		e.StatusCode, code, e.Part, e.Parts, e.Attempts, e.hint())
}

func (e *SlackError) hint() string {
	switch e.Code {
	case "invalid_payload", "invalid_blocks", "invalid_blocks_format", "no_text",
		"missing_text_or_fallback_or_attachments", "too_many_attachments":
		return "Slack rejected the payload; this is a bug in the message, report it"
	case "no_service", "no_service_id", "invalid_token", "no_team", "team_disabled", "no_active_hooks":
		return "the webhook is disabled or removed; create a new webhook URL"
	case "channel_is_archived", "channel_not_found":
		return "the channel is archived or gone; point the webhook at another channel"
	case "action_prohibited", "posting_to_general_channel_denied", "user_not_found":
		return "the workspace does not allow this post; ask a Slack admin"
	case "message_limit_exceeded":
		return "the workspace reached its message limit; retry later"
	}
	switch {
	case e.StatusCode == http.StatusTooManyRequests:
		return "rate limited; retry later"
	case e.StatusCode >= 500:
		return "Slack failed; retry later"
	}
	return "the request was rejected; check the webhook configuration"
}
