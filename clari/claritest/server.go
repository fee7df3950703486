package claritest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/clari"
)

// Defaults of a [Server].
const (
	DefaultPollsToDone       = 3
	DefaultMonthlyQuota      = 1000
	DefaultConcurrentLimit   = 10
	maxRequestBody           = 1 << 20
	recordedRequestBodyLimit = 64 << 10
)

// Server is a running emulator. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API base URL, ending in /v4, to pass to
	// clari.WithBaseURL.
	URL string
	// APIKey is the key that requests must send in the apikey header.
	APIKey string

	srv *httptest.Server

	mu          sync.Mutex
	scripts     []ExportJob
	next        int
	jobs        map[string]*job
	order       []string
	faults      map[Endpoint][]Fault
	requests    []Request
	pollsToDone int
	flatStatus  bool
	quota       int
	concurrent  int
	used        int
	now         func() time.Time
}

var (
	_ fmt.Stringer   = (*Server)(nil)
	_ slog.LogValuer = (*Server)(nil)
)

// Option configures a [Server].
type Option func(*Server)

// WithAPIKey sets the API key that the server accepts. By default the
// server makes a random one.
func WithAPIKey(key string) Option { return func(s *Server) { s.APIKey = key } }

// WithExports adds export bodies to the script, in order; see
// [Server.AddExport].
func WithExports(bodies ...[]byte) Option {
	return func(s *Server) {
		for _, b := range bodies {
			s.scripts = append(s.scripts, ExportJob{Body: b})
		}
	}
}

// WithJobs adds scripted jobs, in order; see [Server.AddJob].
func WithJobs(jobs ...ExportJob) Option {
	return func(s *Server) { s.scripts = append(s.scripts, jobs...) }
}

// WithPollsToDone sets on which status poll a job reaches its final
// status: with n = 3 the polls return SCHEDULED, STARTED, DONE. Values
// below 1 count as 1.
func WithPollsToDone(n int) Option {
	return func(s *Server) { s.pollsToDone = max(n, 1) }
}

// WithFlatStatus makes the status endpoint return the bare job object, as
// Clari's OpenAPI document shows it, instead of the {"job": {...}}
// envelope that clients of the live API read.
func WithFlatStatus() Option { return func(s *Server) { s.flatStatus = true } }

// WithQuota sets the org's monthly export quota and concurrent job limit.
// A start request beyond either gets Clari's quota error.
func WithQuota(monthly, concurrent int) Option {
	return func(s *Server) { s.quota, s.concurrent = monthly, concurrent }
}

// WithClock sets the clock used for the job times.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// NewServer starts an emulator on 127.0.0.1. When t is not nil the server
// is closed when the test ends; otherwise call [Server.Close].
func NewServer(t testing.TB, opts ...Option) *Server {
	s := &Server{
		jobs:        map[string]*job{},
		faults:      map[Endpoint][]Fault{},
		pollsToDone: DefaultPollsToDone,
		quota:       DefaultMonthlyQuota,
		concurrent:  DefaultConcurrentLimit,
		now:         time.Now,
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.APIKey == "" {
		s.APIKey = randomKey()
	}
	s.srv = httptest.NewUnstartedServer(s.Handler())
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.Start()
	s.URL = s.srv.URL + "/v4"
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// Close shuts the server down and blocks until its requests finish.
func (s *Server) Close() { s.srv.Close() }

// String describes the server with its API key redacted.
func (s *Server) String() string {
	return fmt.Sprintf("claritest.Server{URL: %s, APIKey: [REDACTED]}", s.URL)
}

// LogValue logs the server as its URL, without the API key.
func (s *Server) LogValue() slog.Value { return slog.StringValue(s.String()) }

// AddExport appends an export body to the script. Each new export job
// returns the next body; once the script is used up, new jobs return the
// last one again, and with an empty script they return a small built-in
// export.
func (s *Server) AddExport(body []byte) { s.AddJob(ExportJob{Body: body}) }

// AddJob appends a scripted job, with its body and faults, to the script.
func (s *Server) AddJob(j ExportJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts = append(s.scripts, j)
}

// Inject queues faults for ep: each of the next len(faults) requests to
// ep gets the next fault instead of its normal response, after the API
// key check.
func (s *Server) Inject(ep Endpoint, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[ep] = append(s.faults[ep], faults...)
}

// Request is one request the server received.
type Request struct {
	Method   string
	Path     string
	Endpoint Endpoint
	// Body is the request body, up to 64 KiB.
	Body []byte
	// Authorized reports whether the request carried the right API key.
	Authorized bool
	// Status is the HTTP status of the response.
	Status int
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests to ep the server received, faults and
// rejected requests included.
func (s *Server) Count(ep Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Endpoint == ep {
			n++
		}
	}
	return n
}

// Jobs returns the ids of the jobs started so far, in order.
func (s *Server) Jobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// Handler returns the emulator's handler, for serving it on another
// listener; its routes start with /v4.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v4/export/forecast/{forecastId}", s.route(StartExport, s.handleStart))
	mux.HandleFunc("GET /v4/export/jobs/{jobId}", s.route(JobStatus, s.handleStatus))
	mux.HandleFunc("GET /v4/export/jobs/{jobId}/results", s.route(Results, s.handleResults))
	mux.HandleFunc("PATCH /v4/export/jobs/{jobId}", s.route(CancelJob, s.handleCancel))
	mux.HandleFunc("GET /v4/export/jobs", s.route(ListJobs, s.handleList))
	mux.HandleFunc("GET /v4/admin/limits", s.route(Limits, s.handleLimits))
	return mux
}

// route wraps h with the API key check, request recording and fault
// injection.
func (s *Server) route(ep Endpoint, h func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
		authorized := subtle.ConstantTimeCompare([]byte(r.Header.Get("apikey")), []byte(s.APIKey)) == 1
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.requests = append(s.requests, Request{
				Method: r.Method, Path: r.URL.Path, Endpoint: ep,
				Body: body[:min(len(body), recordedRequestBodyLimit)], Authorized: authorized, Status: rec.status,
			})
		}()
		if !authorized {
			writeError(rec, http.StatusUnauthorized, "unauthorized", "auth", "missing or invalid apikey header")
			return
		}
		if f, ok := s.takeFault(ep); ok {
			f.write(rec)
			return
		}
		h(rec, r, body)
	}
}

func (s *Server) takeFault(ep Endpoint) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[ep]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[ep] = q[1:]
	return q[0], true
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "claritest-" + hex.EncodeToString(b)
}

// statusOf is the status a job of spec reports on poll number polls.
func (s *Server) statusOf(spec ExportJob, polls int) clari.Status {
	total := s.pollsToDone + spec.ExtraPolls
	switch {
	case polls >= total && spec.FinalStatus != "":
		return spec.FinalStatus
	case polls >= total:
		return clari.StatusDone
	case polls <= 1:
		return clari.StatusScheduled
	default:
		return clari.StatusStarted
	}
}
