// Package copilottest runs an in-process emulator of Clari Copilot's REST
// API and of a webhook subscription endpoint, and sends signed webhook
// deliveries, for tests and demos that must not reach Copilot.
package copilottest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// Default credentials of a [Server] started with zero [Options].
const (
	DefaultAPIKey      = "test-api-key"
	DefaultAPIPassword = "test-api-password"
	DefaultToken       = "test-webhook-token"
)

// SubscriptionPath is the path of the emulated subscription endpoint.
const SubscriptionPath = "/v1/webhooks"

// Options configure a [Server]. Zero fields take the defaults.
type Options struct {
	APIKey      string           // X-Api-Key expected; default DefaultAPIKey
	APIPassword string           // X-Api-Password expected; default DefaultAPIPassword
	Token       string           // bearer token of the subscription endpoint; default DefaultToken
	Now         func() time.Time // clock for last_modified_time; default time.Now
}

// Fault is a response the server returns instead of handling a request.
type Fault struct {
	Status     int    // HTTP status, such as 429 or 500
	RetryAfter string // Retry-After header; empty sends none
	Body       string // response body; empty sends {"message": <status text>}
}

// Server emulates GET /calls, GET /call-details and GET /users of
// Copilot's REST API, checking the X-Api-Key and X-Api-Password headers
// (401 otherwise), and a subscription endpoint at [SubscriptionPath]
// checking a bearer token. It listens on 127.0.0.1.
//
// GET /calls supports the filters filterStatus[], filterUser[],
// filterType[], filterSourceId[], filterModifiedGt/Lt and filterTimeGt/Lt,
// the orders sortProcessed (by last_modified_time, then id) and sortTime,
// skip (0 to 10000) and limit (1 to 100, default 25), and
// includePagination. A Server is safe for concurrent use.
type Server struct {
	// URL is the base URL of the REST API, such as http://127.0.0.1:1234.
	URL string

	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	calls    []*copilot.CallDetails
	users    []copilot.User
	subs     []copilot.Subscription
	nextSub  int
	faults   []Fault
	requests int
}

// NewServer starts an emulator on 127.0.0.1. A nil *Options, or a zero
// field, means the default. Call Close when done.
func NewServer(o *Options) *Server {
	var opts Options
	if o != nil {
		opts = *o
	}
	opts.APIKey = cmp.Or(opts.APIKey, DefaultAPIKey)
	opts.APIPassword = cmp.Or(opts.APIPassword, DefaultAPIPassword)
	opts.Token = cmp.Or(opts.Token, DefaultToken)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calls", s.restAuth(s.handleCalls))
	mux.HandleFunc("GET /call-details", s.restAuth(s.handleCallDetails))
	mux.HandleFunc("GET /users", s.restAuth(s.handleUsers))
	mux.HandleFunc("POST "+SubscriptionPath, s.bearerAuth(s.handleRegister))
	mux.HandleFunc("GET "+SubscriptionPath, s.bearerAuth(s.handleListSubs))
	mux.HandleFunc("DELETE "+SubscriptionPath+"/{id}", s.bearerAuth(s.handleDeleteSub))
	s.srv = httptest.NewServer(s.countAndFault(mux))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// SubscriptionURL returns the URL of the subscription endpoint.
func (s *Server) SubscriptionURL() string { return s.URL + SubscriptionPath }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Requests returns the number of requests received, faults included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// FailNext makes the next len(faults) requests, of any path, return the
// faults in order.
func (s *Server) FailNext(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// AddCall adds a call. An empty LastModifiedTime is set from the clock.
// A call with the id of an existing one replaces it.
func (s *Server) AddCall(c copilot.Call) {
	s.AddCallDetails(copilot.CallDetails{Call: c})
}

// AddCallDetails adds a call with its details, as /call-details returns
// them; /calls returns the Call part.
func (s *Server) AddCallDetails(d copilot.CallDetails) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.LastModifiedTime == "" {
		d.LastModifiedTime = formatTime(s.opts.Now())
	}
	if i := s.indexLocked(string(d.ID)); i >= 0 {
		s.calls[i] = &d
		return
	}
	s.calls = append(s.calls, &d)
}

// SetStatus moves a call to status and sets its last_modified_time from the
// clock, as Copilot does on every status change.
func (s *Server) SetStatus(id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.indexLocked(id)
	if i < 0 {
		return fmt.Errorf("copilottest: no call with id %q", id)
	}
	s.calls[i].Status = status
	s.calls[i].LastModifiedTime = formatTime(s.opts.Now())
	return nil
}

// SetUsers sets the users that /users returns.
func (s *Server) SetUsers(users []copilot.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = slices.Clone(users)
}

// Subscriptions returns the registered subscriptions.
func (s *Server) Subscriptions() []copilot.Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subs)
}

func (s *Server) indexLocked(id string) int {
	return slices.IndexFunc(s.calls, func(c *copilot.CallDetails) bool { return string(c.ID) == id })
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// countAndFault counts requests and plays queued faults.
func (s *Server) countAndFault(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		var f *Fault
		if len(s.faults) > 0 {
			f = &s.faults[0]
			s.faults = s.faults[1:]
		}
		s.mu.Unlock()
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return
		}
		writeError(w, f.Status, http.StatusText(f.Status))
	})
}

func (s *Server) restAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != s.opts.APIKey || r.Header.Get("X-Api-Password") != s.opts.APIPassword {
			writeError(w, http.StatusUnauthorized, "Invalid authentication credentials")
			return
		}
		next(w, r)
	}
}

func (s *Server) bearerAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+s.opts.Token {
			writeError(w, http.StatusUnauthorized, "invalid token")
			return
		}
		next(w, r)
	}
}

func (s *Server) handleCallDetails(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.indexLocked(r.URL.Query().Get("id"))
	if i < 0 {
		writeError(w, http.StatusNotFound, "call not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"call": s.calls[i]})
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	users := s.users
	if users == nil {
		users = []copilot.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil || body.URL == "" || len(body.Events) == 0 {
		writeError(w, http.StatusBadRequest, "body must be {\"url\": ..., \"events\": [...]}")
		return
	}
	s.mu.Lock()
	s.nextSub++
	sub := copilot.Subscription{ID: "sub_" + strconv.Itoa(s.nextSub), URL: body.URL, Events: body.Events}
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, sub)
}

func (s *Server) handleListSubs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": s.Subscriptions()})
}

func (s *Server) handleDeleteSub(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	i := slices.IndexFunc(s.subs, func(sub copilot.Subscription) bool { return sub.ID == id })
	if i < 0 {
		writeError(w, http.StatusNotFound, "subscription not found")
		return
	}
	s.subs = slices.Delete(s.subs, i, i+1)
	w.WriteHeader(http.StatusNoContent)
}
