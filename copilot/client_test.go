package copilot_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/clariwatch/clariwatch/copilot/copilottest"
	"github.com/google/go-cmp/cmp"
)

// fastRetry keeps retry waits at a millisecond so that tests do not wait.
var fastRetry = copilot.RetryPolicy{
	MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond,
	RetryAfterDefault: time.Millisecond, RetryAfterMax: 2 * time.Millisecond,
}

// emulatorClock is a settable clock for the emulator and the poller.
type emulatorClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *emulatorClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *emulatorClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var emulatorStart = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func setupEmulator(t *testing.T, opts ...copilot.Option) (*copilottest.Server, *copilot.Client, *emulatorClock) {
	t.Helper()
	clock := &emulatorClock{t: emulatorStart}
	srv := copilottest.NewServer(&copilottest.Options{Now: clock.Now})
	t.Cleanup(srv.Close)
	base := []copilot.Option{copilot.WithBaseURL(srv.URL), copilot.WithRetry(fastRetry), copilot.WithRateLimit(math.Inf(1))}
	c, err := copilot.NewClient(copilottest.DefaultAPIKey, copilottest.DefaultAPIPassword, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return srv, c, clock
}

func TestNewClientOptions(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opt  copilot.Option
	}{
		{"empty key", "", nil},
		{"plain http remote", "k", copilot.WithBaseURL("http://example.com")},
		{"ftp scheme", "k", copilot.WithBaseURL("ftp://127.0.0.1")},
		{"relative URL", "k", copilot.WithBaseURL("/calls")},
		{"nil http client", "k", copilot.WithHTTPClient(nil)},
		{"zero rate", "k", copilot.WithRateLimit(0)},
		{"NaN rate", "k", copilot.WithRateLimit(math.NaN())},
		{"zero budget", "k", copilot.WithWeeklyBudget(0)},
		{"negative retries", "k", copilot.WithRetry(copilot.RetryPolicy{MaxRetries: -1, MinWait: 1, MaxWait: 1, RetryAfterDefault: 1, RetryAfterMax: 1})},
		{"min above max", "k", copilot.WithRetry(copilot.RetryPolicy{MinWait: 2, MaxWait: 1, RetryAfterDefault: 1, RetryAfterMax: 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []copilot.Option
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			if _, err := copilot.NewClient(tt.key, "p", opts...); err == nil {
				t.Fatal("NewClient returned no error")
			}
		})
	}
	for _, u := range []string{"https://rest.example.com", "http://127.0.0.1:8080", "http://[::1]:80", "http://localhost"} {
		if _, err := copilot.NewClient("k", "p", copilot.WithBaseURL(u)); err != nil {
			t.Errorf("WithBaseURL(%q): %v", u, err)
		}
	}
}

func TestListCallsFiltersAndPagination(t *testing.T) {
	srv, c, clock := setupEmulator(t)
	for i := range 5 {
		status := copilot.StatusProcessed
		if i%2 == 1 {
			status = "SCHEDULED"
		}
		srv.AddCall(copilot.Call{ID: copilot.ID(fmt.Sprintf("c%d", i)), Status: status,
			Users: []copilot.CallUser{{UserEmail: fmt.Sprintf("u%d@example.com", i%2)}}})
		clock.Advance(time.Minute)
	}
	page, err := c.ListCalls(t.Context(), &copilot.ListCallsOptions{
		Statuses: []string{copilot.StatusProcessed}, SortProcessed: copilot.SortDesc, Limit: 2,
	})
	if err != nil {
		t.Fatalf("ListCalls: %v", err)
	}
	var ids []string
	for _, call := range page.Calls {
		ids = append(ids, string(call.ID))
	}
	if diff := cmp.Diff([]string{"c4", "c2"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(copilot.Pagination{Matched: 3, HasMore: true, NextPageSkip: 2}, page.Pagination); diff != "" {
		t.Errorf("pagination (-want +got):\n%s", diff)
	}

	page, err = c.ListCalls(t.Context(), &copilot.ListCallsOptions{
		Users: []string{"u1@example.com"}, ModifiedGt: emulatorStart.Add(90 * time.Second),
	})
	if err != nil {
		t.Fatalf("ListCalls: %v", err)
	}
	if len(page.Calls) != 1 || page.Calls[0].ID != "c3" {
		t.Errorf("user and modified filters: got %+v, want only c3", page.Calls)
	}
}

func TestListCallsRejectsBadPageBeforeSending(t *testing.T) {
	tests := []struct {
		name string
		opts copilot.ListCallsOptions
	}{
		{"skip past cap", copilot.ListCallsOptions{Skip: copilot.MaxSkip + 1}},
		{"negative skip", copilot.ListCallsOptions{Skip: -1}},
		{"limit above max", copilot.ListCallsOptions{Limit: copilot.MaxLimit + 1}},
		{"negative limit", copilot.ListCallsOptions{Limit: -1}},
		{"bad sort", copilot.ListCallsOptions{SortTime: "up"}},
		{"negative duration", copilot.ListCallsOptions{DurationGt: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c, _ := setupEmulator(t)
			if _, err := c.ListCalls(t.Context(), &tt.opts); err == nil {
				t.Fatal("ListCalls returned no error")
			}
			if n := srv.Requests(); n != 0 {
				t.Errorf("server got %d requests, want 0", n)
			}
		})
	}
}

func TestAllCallsByModifiedTimeWithTies(t *testing.T) {
	srv, c, clock := setupEmulator(t)
	// 150 calls share one timestamp, more than a page, then 100 more.
	for i := range 250 {
		if i >= 150 {
			clock.Advance(time.Second)
		}
		srv.AddCall(copilot.Call{ID: copilot.ID(fmt.Sprintf("c%03d", i)), Status: copilot.StatusProcessed})
	}
	seen := map[string]int{}
	for call, err := range c.AllCalls(t.Context(), &copilot.ListCallsOptions{SortProcessed: copilot.SortAsc, OmitPagination: true}) {
		if err != nil {
			t.Fatalf("AllCalls: %v", err)
		}
		seen[string(call.ID)]++
	}
	if len(seen) != 250 {
		t.Errorf("got %d distinct calls, want 250", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("call %s yielded %d times", id, n)
		}
	}
}

func TestAllCallsStopsAtSkipCap(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"calls":[{"id":"x","status":"PROCESSED"}],"pagination":{"matched":20000,"hasMore":true,"nextPageSkip":10001}}`)
	}))
	t.Cleanup(ts.Close)
	c, err := copilot.NewClient("k", "p", copilot.WithBaseURL(ts.URL), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	var lastErr error
	n := 0
	for _, err := range c.AllCalls(t.Context(), &copilot.ListCallsOptions{SortTime: copilot.SortAsc}) {
		if err != nil {
			lastErr = err
			break
		}
		n++
	}
	if lastErr == nil || !strings.Contains(lastErr.Error(), "skip 10001") {
		t.Errorf("error = %v, want one naming skip 10001", lastErr)
	}
	if n != 1 {
		t.Errorf("yielded %d calls before the error, want 1", n)
	}
}

func TestCallDetailsAndUsers(t *testing.T) {
	srv, c, _ := setupEmulator(t)
	srv.AddCallDetails(copilot.CallDetails{
		Call:    copilot.Call{ID: "c1", Status: copilot.StatusPostProcessingDone, Title: "Demo"},
		Summary: &copilot.CallSummary{FullSummary: "Went well."},
	})
	srv.SetUsers([]copilot.User{{ID: "u1", Email: "rep@example.com", Role: "REP"}})

	d, err := c.CallDetails(t.Context(), "c1")
	if err != nil {
		t.Fatalf("CallDetails: %v", err)
	}
	if d.Title != "Demo" || d.Summary == nil || d.Summary.FullSummary != "Went well." {
		t.Errorf("CallDetails = %+v", d)
	}
	if _, err := c.CallDetails(t.Context(), "nope"); !errors.Is(err, copilot.ErrNotFound) {
		t.Errorf("CallDetails(unknown) error = %v, want ErrNotFound", err)
	}
	users, err := c.Users(t.Context())
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if diff := cmp.Diff([]copilot.User{{ID: "u1", Email: "rep@example.com", Role: "REP"}}, users); diff != "" {
		t.Errorf("Users (-want +got):\n%s", diff)
	}
}

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name     string
		faults   []copilottest.Fault
		wantErr  int // 0: success
		requests int
	}{
		{"429 with Retry-After", []copilottest.Fault{{Status: 429, RetryAfter: "0"}}, 0, 2},
		{"429 without Retry-After", []copilottest.Fault{{Status: 429}}, 0, 2},
		{"429 with HTTP date", []copilottest.Fault{{Status: 429, RetryAfter: "Mon, 02 Jan 2006 15:04:05 GMT"}}, 0, 2},
		{"500 then success", []copilottest.Fault{{Status: 500}, {Status: 502}}, 0, 3},
		{"500 until retries end", []copilottest.Fault{{Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}}, 500, 4},
		{"501 is permanent", []copilottest.Fault{{Status: 501}}, 501, 1},
		{"400 is permanent", []copilottest.Fault{{Status: 400, Body: `{"message":"bad filter"}`}}, 400, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c, _ := setupEmulator(t)
			srv.FailNext(tt.faults...)
			_, err := c.Users(t.Context())
			var apiErr *copilot.APIError
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Errorf("Users: %v", err)
			case tt.wantErr != 0 && !errors.As(err, &apiErr):
				t.Errorf("Users error = %v, want *APIError", err)
			case tt.wantErr != 0 && apiErr.StatusCode != tt.wantErr:
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, tt.wantErr)
			}
			if n := srv.Requests(); n != tt.requests {
				t.Errorf("requests = %d, want %d", n, tt.requests)
			}
		})
	}
}

func TestClientWeeklyBudget(t *testing.T) {
	srv, c, _ := setupEmulator(t, copilot.WithWeeklyBudget(2))
	for range 2 {
		if _, err := c.Users(t.Context()); err != nil {
			t.Fatalf("Users: %v", err)
		}
	}
	_, err := c.Users(t.Context())
	if !errors.Is(err, copilot.ErrBudgetExhausted) {
		t.Errorf("third request error = %v, want ErrBudgetExhausted", err)
	}
	if n := srv.Requests(); n != 2 {
		t.Errorf("server got %d requests, want 2", n)
	}
}

func TestClientUnauthorized(t *testing.T) {
	srv := copilottest.NewServer(nil)
	t.Cleanup(srv.Close)
	c, err := copilot.NewClient("wrong", "wrong", copilot.WithBaseURL(srv.URL), copilot.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users(t.Context()); !errors.Is(err, copilot.ErrUnauthorized) {
		t.Errorf("error = %v, want ErrUnauthorized", err)
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("requests = %d, want 1 (no retry on 401)", n)
	}
}

// TestCredentialsNeverLeak drives failure paths with known credentials
// and checks that neither errors nor log lines contain them.
func TestCredentialsNeverLeak(t *testing.T) {
	const key, password = "KEY-6f1c9a", "PASSWORD-2b7e4d"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"message":"bad key %s / %s"}`, r.Header.Get("X-Api-Key"), r.Header.Get("X-Api-Password"))
	}))
	t.Cleanup(echo.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String()
	ln.Close()

	for name, base := range map[string]string{"echoing 500": echo.URL, "connection refused": closedURL} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := copilot.NewClient(key, password, copilot.WithBaseURL(base), copilot.WithRetry(fastRetry),
				copilot.WithLogger(logger), copilot.WithRateLimit(math.Inf(1)))
			if err != nil {
				t.Fatal(err)
			}
			_, err1 := c.CallDetails(t.Context(), "c1")
			_, err2 := c.ListCalls(t.Context(), &copilot.ListCallsOptions{Users: []string{"a@example.com"}})
			for _, err := range []error{err1, err2} {
				if err == nil {
					t.Fatal("request succeeded, want an error")
				}
				for _, secret := range []string{key, password} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %q contains a credential", err)
					}
				}
			}
			if logs.Len() == 0 {
				t.Error("nothing was logged; the test would not see a leak")
			}
			for _, secret := range []string{key, password} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("log contains a credential:\n%s", logs.String())
				}
			}
		})
	}
}

func TestClientRejectsCrossOriginRedirect(t *testing.T) {
	const key, password = "KEY-redirect", "PASSWORD-redirect"
	var leaked []string
	var mu sync.Mutex
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("X-Api-Key")+r.Header.Get("X-Api-Password"))
		mu.Unlock()
		fmt.Fprint(w, `{"users":[]}`)
	}))
	t.Cleanup(other.Close)
	_, port, _ := net.SplitHostPort(other.Listener.Addr().String())
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// localhost and 127.0.0.1 are different origins on the same machine.
		http.Redirect(w, r, "http://localhost:"+port+"/users", http.StatusFound)
	}))
	t.Cleanup(api.Close)
	c, err := copilot.NewClient(key, password, copilot.WithBaseURL(api.URL),
		copilot.WithRetry(fastRetry), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}

	_, err = c.Users(t.Context())
	var apiErr *copilot.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusFound {
		t.Errorf("Users error = %v, want an *APIError with status 302", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) != 0 {
		t.Errorf("redirect target got %d requests with headers %q, want none", len(leaked), leaked)
	}
}

func TestClientFollowsSameOriginRedirect(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/users", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v2/users", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/v2/users", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"users":[{"id":"u1","email":"a@example.com"}]}`)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	c, err := copilot.NewClient("k", "p", copilot.WithBaseURL(ts.URL), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.Users(t.Context())
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if len(users) != 1 || users[0].ID != "u1" {
		t.Errorf("users = %+v, want one user u1", users)
	}
}

func TestClientDoesNotRetryInvalidHeader(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	c, err := copilot.NewClient("key\nwith newline", "p", copilot.WithBaseURL("http://127.0.0.1:1"),
		copilot.WithRetry(fastRetry), copilot.WithRateLimit(math.Inf(1)), copilot.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Users(t.Context())
	if err == nil || !strings.Contains(err.Error(), "invalid header") {
		t.Errorf("Users error = %v, want an invalid header error", err)
	}
	if strings.Contains(logs.String(), "retrying") {
		t.Errorf("an invalid header was retried:\n%s", logs.String())
	}
}
