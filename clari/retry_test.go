package clari_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
)

// newRawServer serves h on 127.0.0.1 and returns its URL as a base URL.
func newRawServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/v4"
}

func TestRetryWaits(t *testing.T) {
	tests := []struct {
		name  string
		fault claritest.Fault
		want  time.Duration
	}{
		{"429 with Retry-After seconds", claritest.RateLimited("7"), 7 * time.Second},
		{"429 without Retry-After", claritest.RateLimited(""), 10 * time.Second}, // 20s capped at 10s
		{"429 with a long Retry-After", claritest.RateLimited("3600"), 10 * time.Second},
		{"500", claritest.ServerError(500), 750 * time.Millisecond},
		{"503", claritest.ServerError(503), 750 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			c, sl := newClient(t, srv.URL)
			srv.Inject(claritest.Limits, tt.fault)
			if _, err := c.Limits(t.Context()); err != nil {
				t.Fatalf("Limits: %v", err)
			}
			if got := srv.Count(claritest.Limits); got != 2 {
				t.Errorf("requests = %d, want 2", got)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, sl.recorded()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryMissingRetryAfterWaits20s(t *testing.T) {
	srv := newServer(t)
	c, sl := newClient(t, srv.URL, clari.WithRetry(2, time.Second, time.Minute))
	srv.Inject(claritest.JobStatus, claritest.RateLimited(""))
	id, _ := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	if _, err := c.JobStatus(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{clari.DefaultRetryAfter}, sl.recorded()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetryGivesUp(t *testing.T) {
	srv := newServer(t)
	c, sl := newClient(t, srv.URL)
	srv.Inject(claritest.ListJobs, claritest.ServerError(503), claritest.ServerError(500), claritest.ServerError(503))
	_, err := c.ListJobs(t.Context())
	var apiErr *clari.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("ListJobs error = %v, want an *APIError", err)
	}
	if apiErr.StatusCode != 503 || apiErr.Attempts != 3 || apiErr.Code != "internal_server_error" {
		t.Errorf("APIError = %+v, want status 503 after 3 attempts with the body's code", apiErr)
	}
	// Exponential from 1s with equal jitter at 0.5: 0.75 × 1s, 0.75 × 2s.
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond}
	if diff := cmp.Diff(want, sl.recorded()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetryRateLimitedGivesUp(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv.URL, clari.WithRetry(2, time.Second, time.Second))
	srv.Inject(claritest.Limits, claritest.RateLimited("1"), claritest.RateLimited("1"))
	_, err := c.Limits(t.Context())
	if !errors.Is(err, clari.ErrRateLimited) {
		t.Errorf("Limits error = %v, want ErrRateLimited", err)
	}
}

func TestStartExportRetryPolicy(t *testing.T) {
	tests := []struct {
		name     string
		fault    claritest.Fault
		wantErr  error
		wantPOST int
	}{
		{"429 is retried", claritest.RateLimited("1"), nil, 2},
		{"500 is not retried", claritest.ServerError(500), nil, 1},
		{"503 is not retried", claritest.ServerError(503), nil, 1},
		{"quota is not retried", claritest.QuotaReached(), clari.ErrQuotaReached, 1},
		{"no_optin is not retried", claritest.NoOptIn(), clari.ErrNoOptIn, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			c, _ := newClient(t, srv.URL)
			srv.Inject(claritest.StartExport, tt.fault)
			_, err := c.StartExport(t.Context(), "f", clari.ExportRequest{})
			if got := srv.Count(claritest.StartExport); got != tt.wantPOST {
				t.Errorf("export POSTs = %d, want %d", got, tt.wantPOST)
			}
			switch {
			case tt.wantPOST == 2 && err != nil:
				t.Errorf("StartExport error = %v, want success after the retry", err)
			case tt.wantPOST == 1 && err == nil:
				t.Error("StartExport returned no error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("StartExport error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestAPIErrorSentinels(t *testing.T) {
	tests := []struct {
		name  string
		fault claritest.Fault
		is    error
		isNot error
	}{
		{"quota", claritest.QuotaReached(), clari.ErrQuotaReached, clari.ErrUnauthorized},
		{"no opt-in", claritest.NoOptIn(), clari.ErrNoOptIn, clari.ErrUnauthorized},
		{"other 401", claritest.Fault{Status: 401, Code: "bad_token"}, clari.ErrUnauthorized, clari.ErrNoOptIn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			c, _ := newClient(t, srv.URL)
			srv.Inject(claritest.JobStatus, tt.fault)
			_, err := c.JobStatus(t.Context(), "j1")
			if !errors.Is(err, tt.is) || errors.Is(err, tt.isNot) {
				t.Errorf("error = %v, want errors.Is %v and not %v", err, tt.is, tt.isNot)
			}
			if got := srv.Count(claritest.JobStatus); got != 1 {
				t.Errorf("requests = %d, want 1 (no retry)", got)
			}
		})
	}
}

func TestWrongAPIKeyIsUnauthorized(t *testing.T) {
	srv := claritest.NewServer(t) // random key
	c, _ := newClient(t, srv.URL)
	_, err := c.ListJobs(t.Context())
	if !errors.Is(err, clari.ErrUnauthorized) {
		t.Errorf("ListJobs error = %v, want ErrUnauthorized", err)
	}
}

func TestAPIErrorBodies(t *testing.T) {
	tests := []struct {
		name string
		body string
		want clari.APIError
	}{
		{"export shape", `{"code":"bad_request","namespace":"fcw","errorId":"e1","message":"Invalid currency","orgId":5}`,
			clari.APIError{Code: "bad_request", Namespace: "fcw", ErrorID: "e1", Message: "Invalid currency"}},
		{"error field", `{"error":"Missing partner key"}`, clari.APIError{Message: "Missing partner key"}},
		{"errors array", `{"errors":[{"code":"invalid","message":"dateFrom is invalid"}]}`,
			clari.APIError{Code: "invalid", Message: "dateFrom is invalid"}},
		{"html", "<html>\n<b>Bad request</b></html>", clari.APIError{Message: "<html> <b>Bad request</b></html>"}},
		{"empty", "", clari.APIError{Message: "Bad Request"}},
		{"array", `[{"statusCode":400}]`, clari.APIError{Message: `[{"statusCode":400}]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, fixedJSON(t, http.StatusBadRequest, tt.body))
			_, err := c.Limits(t.Context())
			var got *clari.APIError
			if !errors.As(err, &got) {
				t.Fatalf("error = %v, want an *APIError", err)
			}
			tt.want.StatusCode, tt.want.Method, tt.want.Endpoint, tt.want.Attempts = 400, "GET", "/admin/limits", 1
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAPIErrorBodyReadIsCapped(t *testing.T) {
	big := `{"message":"` + strings.Repeat("x", 2<<20) + `"}`
	c, _ := newClient(t, fixedJSON(t, http.StatusBadRequest, big))
	_, err := c.Limits(t.Context())
	var apiErr *clari.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v, want an *APIError", err)
	}
	if len(apiErr.Message) > 1024 {
		t.Errorf("message is %d bytes, want it shortened", len(apiErr.Message))
	}
}

// dropServer closes the connection of the first drops requests without a
// response, then responds with body.
func dropServer(t *testing.T, drops int32, body string) (string, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	url := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) <= drops {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	return url, &n
}

func TestConnectionErrorRetriedForGET(t *testing.T) {
	base, n := dropServer(t, 2, `{"jobs":{"monthlyQuota":5}}`)
	c, _ := newClient(t, base)
	if _, err := c.Limits(t.Context()); err != nil {
		t.Fatalf("Limits: %v", err)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d, want 3", n.Load())
	}
}

func TestConnectionErrorNotRetriedForPOST(t *testing.T) {
	base, n := dropServer(t, 1, `{"jobId":"j1"}`)
	c, _ := newClient(t, base)
	if _, err := c.StartExport(t.Context(), "f", clari.ExportRequest{}); err == nil {
		t.Fatal("StartExport returned no error after the connection dropped")
	}
	if n.Load() != 1 {
		t.Errorf("export POSTs = %d, want 1: the first may have started a job", n.Load())
	}
}

func TestDialErrorRetriedForPOST(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens on addr now, so every dial fails
	c, sl := newClient(t, "http://"+addr+"/v4")
	_, err = c.StartExport(t.Context(), "f", clari.ExportRequest{})
	if err == nil {
		t.Fatal("StartExport returned no error")
	}
	if !strings.Contains(err.Error(), "after 3 attempt(s)") {
		t.Errorf("error = %v, want 3 attempts", err)
	}
	if len(sl.recorded()) != 2 {
		t.Errorf("waits = %v, want 2 retries", sl.recorded())
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var hits atomic.Int32
	target := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("apikey") != "" {
			hits.Add(1)
		}
	}))
	base := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+"/admin/limits", http.StatusFound)
	}))
	c, _ := newClient(t, base)
	if _, err := c.Limits(t.Context()); err == nil {
		t.Error("Limits returned no error for a redirect")
	}
	if hits.Load() != 0 {
		t.Error("the API key was sent to the redirect target")
	}
}

// TestAPIErrorHidesKeyAtCut sends error bodies that echo the API key where
// the message is shortened, and checks that no part of the key remains.
func TestAPIErrorHidesKeyAtCut(t *testing.T) {
	// The message is cut at 512 bytes, 12 bytes into the key.
	pad := strings.Repeat("x", 500)
	for name, body := range map[string]string{
		"text":        pad + testKey,
		"JSON":        `{"code":"bad","message":"` + pad + testKey + `"}`,
		"JSON escape": `{"message":"` + pad + strings.Replace(testKey, "-", `\u002d`, 1) + `"}`,
		"code":        `{"code":"` + pad[:120] + testKey + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newClient(t, fixedJSON(t, http.StatusBadRequest, body))
			_, err := c.Limits(t.Context())
			if err == nil {
				t.Fatal("Limits returned no error")
			}
			if prefix := testKey[:8]; strings.Contains(err.Error(), prefix) {
				t.Errorf("error contains the start of the API key %q: %v", prefix, err)
			}
		})
	}
}
