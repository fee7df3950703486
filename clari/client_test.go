package clari_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
)

const testKey = "sk-test-SECRET-4f2a9c"

// sleeper records the waits a client asks for and returns at once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func (s *sleeper) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// newServer starts an emulator that accepts testKey.
func newServer(t *testing.T, opts ...claritest.Option) *claritest.Server {
	t.Helper()
	return claritest.NewServer(t, append([]claritest.Option{claritest.WithAPIKey(testKey)}, opts...)...)
}

// newClient returns a client of srv with no rate limit, a recording clock
// and a jitter of 0.5, so that every wait is predictable.
func newClient(t *testing.T, baseURL string, opts ...clari.Option) (*clari.Client, *sleeper) {
	t.Helper()
	base := []clari.Option{clari.WithBaseURL(baseURL), clari.WithRateLimit(rate.Inf, 1),
		clari.WithRetry(3, time.Second, 10*time.Second), clari.WithPollInterval(time.Second, 2*time.Second)}
	c, err := clari.NewClient(testKey, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	sl := &sleeper{}
	clari.SetClock(c, sl.sleep, func() float64 { return 0.5 })
	return c, sl
}

func TestStartExportSendsRequest(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv.URL)
	req := clari.ExportRequest{
		TimePeriod: "2025_Q3", TypesToExport: []string{"forecast", "quota"}, ScopeID: "1905::MGR",
		Currency: "USD", Schedule: "ONCE", IncludeHistorical: true, ExportFormat: "JSON",
	}
	id, err := c.StartExport(t.Context(), "net_bookings", req)
	if err != nil {
		t.Fatalf("StartExport: %v", err)
	}
	if diff := cmp.Diff(srv.Jobs(), []string{id}); diff != "" {
		t.Errorf("job ids (-server +client):\n%s", diff)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	if got, want := reqs[0].Path, "/v4/export/forecast/net_bookings"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if !reqs[0].Authorized {
		t.Error("request did not carry the API key in the apikey header")
	}
	var got clari.ExportRequest
	if err := json.Unmarshal(reqs[0].Body, &got); err != nil {
		t.Fatalf("request body: %v", err)
	}
	if diff := cmp.Diff(req, got); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
}

func TestStartExportInvalidInput(t *testing.T) {
	c, _ := newClient(t, "http://127.0.0.1:1/v4")
	tests := []struct {
		name     string
		forecast string
		req      clari.ExportRequest
	}{
		{"empty forecast", "", clari.ExportRequest{}},
		{"bad schedule", "f", clari.ExportRequest{Schedule: "DAILY"}},
		{"bad format", "f", clari.ExportRequest{ExportFormat: "XML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.StartExport(t.Context(), tt.forecast, tt.req); err == nil {
				t.Error("StartExport returned no error")
			}
		})
	}
}

func TestJobStatusForms(t *testing.T) {
	for _, flat := range []bool{false, true} {
		name := "envelope"
		opts := []claritest.Option{}
		if flat {
			name = "flat"
			opts = append(opts, claritest.WithFlatStatus())
		}
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, opts...)
			c, _ := newClient(t, srv.URL)
			id, err := c.StartExport(t.Context(), "f", clari.ExportRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var got []clari.Status
			for range 3 {
				job, err := c.JobStatus(t.Context(), id)
				if err != nil {
					t.Fatalf("JobStatus: %v", err)
				}
				if job.JobID != id {
					t.Errorf("JobID = %q, want %q", job.JobID, id)
				}
				got = append(got, job.Status)
			}
			want := []clari.Status{clari.StatusScheduled, clari.StatusStarted, clari.StatusDone}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJobStatusFields(t *testing.T) {
	srv := newServer(t, claritest.WithPollsToDone(1),
		claritest.WithClock(func() time.Time { return time.UnixMilli(1618451575000) }),
		claritest.WithJobs(claritest.ExportJob{RowsTruncated: true}))
	c, _ := newClient(t, srv.URL)
	id, err := c.StartExport(t.Context(), "net_arr", clari.ExportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.JobStatus(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	end := time.UnixMilli(1618451575000).UTC()
	want := &clari.Job{
		JobID: id, Status: clari.StatusDone, UserID: "1001", OrgID: "1", Title: "Forecast Export",
		Module: "FORECAST", FileName: "clari_export_forecast_net_arr.json", FileType: "JSON", Currency: "USD",
		StartTime: end, EndTime: end, ExpiredTime: end.Add(30 * 24 * time.Hour), Version: 1,
		RowsTruncated: true,
	}
	if diff := cmp.Diff(want, job); diff != "" {
		t.Errorf("job (-want +got):\n%s", diff)
	}
}

// fixedJSON serves body with status for every request.
func fixedJSON(t *testing.T, status int, body string) string {
	t.Helper()
	srv := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	return srv
}

func TestJobStatusTolerantShapes(t *testing.T) {
	tests := []struct {
		name string
		body string
		want clari.Job
	}{
		{"numeric ids and string times", `{"jobId":123,"status":"DONE","userId":7,"startTime":"1000","rowsTruncated":"true"}`,
			clari.Job{JobID: "123", Status: clari.StatusDone, UserID: "7", StartTime: time.UnixMilli(1000).UTC(), RowsTruncated: true}},
		{"nulls", `{"job":{"jobId":"a","status":"STARTED","endTime":null,"currency":null,"viewed":null}}`,
			clari.Job{JobID: "a", Status: clari.StatusStarted}},
		{"unknown fields and status", `{"job":{"jobId":"a","status":"RUNNING","extra":{"x":[1]}}}`,
			clari.Job{JobID: "a", Status: "RUNNING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, fixedJSON(t, http.StatusOK, tt.body))
			got, err := c.JobStatus(t.Context(), "a")
			if err != nil {
				t.Fatalf("JobStatus: %v", err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("job (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJobStatusRejectsBodyWithoutStatus(t *testing.T) {
	for _, body := range []string{`{}`, `{"job":{"jobId":"a"}}`, `[1]`, `not json`} {
		t.Run(body, func(t *testing.T) {
			c, _ := newClient(t, fixedJSON(t, http.StatusOK, body))
			if _, err := c.JobStatus(t.Context(), "a"); err == nil {
				t.Error("JobStatus returned no error")
			}
		})
	}
}

func TestWaitJobPollsWithBackoff(t *testing.T) {
	srv := newServer(t, claritest.WithPollsToDone(5))
	var logs bytes.Buffer
	c, sl := newClient(t, srv.URL, clari.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	id, err := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.WaitJob(t.Context(), id)
	if err != nil {
		t.Fatalf("WaitJob: %v", err)
	}
	if job.Status != clari.StatusDone {
		t.Errorf("status = %s, want DONE", job.Status)
	}
	if got := srv.Count(claritest.JobStatus); got != 5 {
		t.Errorf("status polls = %d, want 5", got)
	}
	// A jitter of 0.5 keeps each wait at its base: 1s growing by half up
	// to the 2s cap.
	want := []time.Duration{time.Second, 1500 * time.Millisecond, 2 * time.Second, 2 * time.Second}
	if diff := cmp.Diff(want, sl.recorded()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d log lines, want one per poll (5):\n%s", len(lines), logs.String())
	}
	if !strings.Contains(lines[4], "status=DONE") || !strings.Contains(lines[4], "job_id="+id) {
		t.Errorf("last log line = %q, want the job id and status DONE", lines[4])
	}
}

func TestWaitJobUnknownStatusKeepsPolling(t *testing.T) {
	var mu sync.Mutex
	polls := 0
	base := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		polls++
		status := "RUNNING"
		if polls == 3 {
			status = "DONE"
		}
		_, _ = w.Write([]byte(`{"job":{"jobId":"j1","status":"` + status + `"}}`))
	}))
	c, _ := newClient(t, base)
	job, err := c.WaitJob(t.Context(), "j1")
	if err != nil {
		t.Fatalf("WaitJob: %v", err)
	}
	if job.Status != clari.StatusDone || polls != 3 {
		t.Errorf("status %s after %d polls, want DONE after 3", job.Status, polls)
	}
}

func TestWaitJobFinalStatuses(t *testing.T) {
	tests := []struct {
		status   clari.Status
		sentinel error
	}{
		{clari.StatusFailed, clari.ErrJobFailed},
		{clari.StatusCancelled, clari.ErrJobCancelled},
		{clari.StatusAborted, clari.ErrJobAborted},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			srv := newServer(t, claritest.WithJobs(claritest.ExportJob{FinalStatus: tt.status}))
			c, _ := newClient(t, srv.URL)
			id, err := c.StartExport(t.Context(), "f", clari.ExportRequest{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.WaitJob(t.Context(), id)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("WaitJob error = %v, want %v", err, tt.sentinel)
			}
			var je *clari.JobError
			if !errors.As(err, &je) {
				t.Fatalf("error %T is not a *JobError", err)
			}
			if je.JobID != id || je.Status != tt.status || je.Job == nil {
				t.Errorf("JobError = %+v, want job %s with status %s and its Job", je, id, tt.status)
			}
		})
	}
}

func TestWaitJobStopsOnContextCancel(t *testing.T) {
	srv := newServer(t, claritest.WithPollsToDone(100))
	c, _ := newClient(t, srv.URL)
	id, err := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	polls := 0
	clari.SetClock(c, func(ctx context.Context, _ time.Duration) error {
		polls++
		if polls == 2 {
			cancel()
		}
		return ctx.Err()
	}, func() float64 { return 0 })
	if _, err := c.WaitJob(ctx, id); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitJob error = %v, want context.Canceled", err)
	}
}

func TestCancelJob(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv.URL)
	ctx := t.Context()
	scheduled, _ := c.StartExport(ctx, "f", clari.ExportRequest{})
	running, _ := c.StartExport(ctx, "f", clari.ExportRequest{})
	done, _ := c.StartExport(ctx, "f", clari.ExportRequest{})
	for range 2 {
		_, _ = c.JobStatus(ctx, running)
	}
	if _, err := c.WaitJob(ctx, done); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{scheduled, running} {
		if err := c.CancelJob(ctx, id); err != nil {
			t.Fatalf("CancelJob(%s): %v", id, err)
		}
	}
	got := map[string]clari.Status{}
	for _, id := range []string{scheduled, running} {
		job, err := c.JobStatus(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got[id] = job.Status
	}
	want := map[string]clari.Status{scheduled: clari.StatusCancelled, running: clari.StatusAborted}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses after cancel (-want +got):\n%s", diff)
	}
	err := c.CancelJob(ctx, done)
	var apiErr *clari.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "export_failed_to_cancel" {
		t.Errorf("CancelJob of a DONE job = %v, want an APIError with code export_failed_to_cancel", err)
	}
	for _, r := range srv.Requests() {
		if r.Endpoint == claritest.CancelJob && string(r.Body) != `{"type":"CANCEL"}` {
			t.Errorf("cancel body = %s, want {\"type\":\"CANCEL\"}", r.Body)
		}
	}
}

func TestCancelJobUnsuccessful(t *testing.T) {
	c, _ := newClient(t, fixedJSON(t, http.StatusOK, `{"status":"DONE","successful":false}`))
	if err := c.CancelJob(t.Context(), "j1"); err == nil {
		t.Error("CancelJob returned no error for successful:false")
	}
}

func TestListJobs(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv.URL)
	a, _ := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	b, _ := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	jobs, err := c.ListJobs(t.Context())
	if err != nil {
		t.Fatalf("ListJobs: %v", err)
	}
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.JobID)
	}
	if diff := cmp.Diff([]string{a, b}, ids); diff != "" {
		t.Errorf("job ids (-want +got):\n%s", diff)
	}
}

func TestListJobsEnvelope(t *testing.T) {
	c, _ := newClient(t, fixedJSON(t, http.StatusOK, `{"jobs":[{"jobId":"x","status":"DONE"}]}`))
	jobs, err := c.ListJobs(t.Context())
	if err != nil {
		t.Fatalf("ListJobs: %v", err)
	}
	if len(jobs) != 1 || jobs[0].JobID != "x" {
		t.Errorf("jobs = %+v, want one job x", jobs)
	}
}

func TestLimits(t *testing.T) {
	srv := newServer(t, claritest.WithQuota(30, 3))
	c, _ := newClient(t, srv.URL)
	a, _ := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	b, _ := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	_, _ = c.JobStatus(t.Context(), b)
	_, _ = c.JobStatus(t.Context(), b)
	got, err := c.Limits(t.Context())
	if err != nil {
		t.Fatalf("Limits: %v", err)
	}
	want := &clari.Limits{
		ConcurrentLimit: 3, AvailableConcurrentLimit: 1, MonthlyQuota: 30, AvailableMonthlyQuota: 28,
		RunningJobIDs: []string{b}, SubmittedJobIDs: []string{a},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
}

func TestLimitsBareObject(t *testing.T) {
	c, _ := newClient(t, fixedJSON(t, http.StatusOK, `{"monthlyQuota":"50","availableMonthlyQuota":49,"newField":true}`))
	got, err := c.Limits(t.Context())
	if err != nil {
		t.Fatalf("Limits: %v", err)
	}
	if got.MonthlyQuota != 50 || got.AvailableMonthlyQuota != 49 {
		t.Errorf("limits = %+v, want quota 50 and 49 available", got)
	}
}

func TestQuotaExhaustedByEmulator(t *testing.T) {
	srv := newServer(t, claritest.WithQuota(1, 5))
	c, _ := newClient(t, srv.URL)
	if _, err := c.StartExport(t.Context(), "f", clari.ExportRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	if !errors.Is(err, clari.ErrQuotaReached) {
		t.Errorf("second StartExport = %v, want ErrQuotaReached", err)
	}
}

// TestDotIDsRejected checks that "." and "..", which a server resolves as
// path steps to another endpoint, are rejected before any request.
func TestDotIDsRejected(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	base := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
	}))
	c, _ := newClient(t, base)
	for _, id := range []string{".", ".."} {
		t.Run(id, func(t *testing.T) {
			calls := map[string]error{}
			_, calls["StartExport"] = c.StartExport(t.Context(), id, clari.ExportRequest{})
			_, calls["JobStatus"] = c.JobStatus(t.Context(), id)
			_, calls["Download"] = c.Download(t.Context(), id)
			calls["CancelJob"] = c.CancelJob(t.Context(), id)
			for name, err := range calls {
				if err == nil {
					t.Errorf("%s(%q) returned no error", name, id)
				}
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 0 {
		t.Errorf("server received requests %q, want none", paths)
	}
}

// TestInvalidJSONResponseSaysWhere checks that a cut or invalid job
// response names the byte offset of the problem.
func TestInvalidJSONResponseSaysWhere(t *testing.T) {
	for name, body := range map[string]string{
		"cut":     `{"job": {"jobId": "j1", "status": "DO`,
		"invalid": `{"job": {"jobId": "j1", "status": DONE}}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newClient(t, fixedJSON(t, http.StatusOK, body))
			_, err := c.JobStatus(t.Context(), "j1")
			if err == nil {
				t.Fatal("JobStatus returned no error")
			}
			if !strings.Contains(err.Error(), "at byte") {
				t.Errorf("error = %v, want the byte offset", err)
			}
		})
	}
}
