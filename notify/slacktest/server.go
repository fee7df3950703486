// Package slacktest provides a local Slack incoming-webhook receiver for
// tests and demos. It records the messages it accepts, rejects what Slack
// rejects, and sends scripted responses such as 429 with Retry-After or
// 404 no_service.
package slacktest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// WebhookPath is the path of the webhook URL that [Server.WebhookURL]
// returns. Requests to other paths get 404 no_service.
const WebhookPath = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"

// Answer is a scripted response.
type Answer struct {
	Status int
	Body   string
	// RetryAfter is the Retry-After header value; empty sends none.
	RetryAfter string
}

// OK is Slack's success response.
var OK = Answer{Status: http.StatusOK, Body: "ok"}

// Error returns an [Answer] with a status and a Slack error code.
func Error(status int, code string) Answer { return Answer{Status: status, Body: code} }

// RateLimited returns a 429 with a Retry-After of the given seconds.
func RateLimited(seconds int) Answer {
	return Answer{Status: http.StatusTooManyRequests, Body: "rate_limited", RetryAfter: strconv.Itoa(seconds)}
}

// The scripted failures that Slack documents for incoming webhooks.
var (
	// MessageLimitExceeded is a 429 without Retry-After, sent when a
	// workspace reaches its plan's message limit.
	MessageLimitExceeded = Error(http.StatusTooManyRequests, "message_limit_exceeded")
	RollupError          = Error(http.StatusInternalServerError, "rollup_error")
	NoService            = Error(http.StatusNotFound, "no_service")
	ChannelIsArchived    = Error(http.StatusGone, "channel_is_archived")
	ActionProhibited     = Error(http.StatusForbidden, "action_prohibited")
	InvalidToken         = Error(http.StatusForbidden, "invalid_token")
)

// Options configures [NewServer]. A nil *Options means the defaults.
type Options struct {
	// Now stamps each recorded request. Nil means time.Now; tests pass
	// the fake clock of the sender.
	Now func() time.Time
	// Strict rejects, besides what Slack rejects, what [ValidateStrict]
	// reports.
	Strict bool
}

// Request is one received request.
type Request struct {
	Time   time.Time
	Path   string
	Header http.Header
	Body   []byte
	// Status and Answer are the response status and body that the server
	// sent back.
	Status int
	Answer string
}

// Server is a Slack incoming-webhook receiver on 127.0.0.1. It is safe for
// concurrent use.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:41234.
	URL string

	srv      *httptest.Server
	opts     Options
	mu       sync.Mutex
	script   []Answer
	requests []Request
	messages []Payload
}

// NewServer starts a receiver. Call Close when done.
func NewServer(opts *Options) *Server {
	s := &Server{}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// WebhookURL returns the URL to post messages to.
func (s *Server) WebhookURL() string { return s.URL + WebhookPath }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Script queues responses for the next requests to the webhook path, one
// per request, in order. When the queue is empty, the server validates the
// payload and responds with 200 ok or Slack's 400 error.
func (s *Server) Script(answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, answers...)
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Messages returns the payloads accepted with 200 ok, in order.
func (s *Server) Messages() []Payload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Payload(nil), s.messages...)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.answer(r, body)
	s.requests = append(s.requests, Request{
		Time: s.opts.Now(), Path: r.URL.Path, Header: r.Header.Clone(), Body: body,
		Status: a.Status, Answer: a.Body,
	})
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(a.Status)
	io.WriteString(w, a.Body)
}

// answer picks the response to r. The caller holds s.mu.
func (s *Server) answer(r *http.Request, body []byte) Answer {
	switch {
	case r.URL.Path != WebhookPath:
		return NoService
	case r.Method != http.MethodPost:
		return Error(http.StatusMethodNotAllowed, "invalid_method")
	case len(s.script) > 0:
		a := s.script[0]
		s.script = s.script[1:]
		return a
	}
	validate := Validate
	if s.opts.Strict {
		validate = ValidateStrict
	}
	p, err := validate(body)
	if err != nil {
		return Error(http.StatusBadRequest, err.(*ValidationError).Code)
	}
	s.messages = append(s.messages, *p)
	return OK
}
