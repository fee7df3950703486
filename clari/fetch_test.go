package clari_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
)

// exportBody returns a small export for period with one entry per value.
func exportBody(period string, values ...int) []byte {
	var entries []string
	for i, v := range values {
		entries = append(entries, fmt.Sprintf(
			`{"timePeriodId":%q,"timeFrameId":"0","userId":"%d","fieldId":"commit","forecastValue":%d}`,
			period, i+1, v))
	}
	return []byte(fmt.Sprintf(`{"timePeriods":[{"timePeriodId":%q}],"timeFrames":[],"fields":[],"users":[],"entries":[%s]}`,
		period, strings.Join(entries, ",")))
}

func TestExportReturnsScriptedExports(t *testing.T) {
	srv := newServer(t, claritest.WithExports(exportBody("2025_Q3", 1), exportBody("2025_Q3", 1, 2)))
	c, _ := newClient(t, srv.URL)
	for want := 1; want <= 3; want++ {
		res, err := c.Export(t.Context(), "f", clari.ExportRequest{TimePeriod: "2025_Q3"}, nil)
		if err != nil {
			t.Fatalf("Export %d: %v", want, err)
		}
		// The script has two exports; the third job repeats the last.
		if got := len(res.Export.Entries); got != min(want, 2) {
			t.Errorf("export %d has %d entries, want %d", want, got, min(want, 2))
		}
		if res.Job.Status != clari.StatusDone || res.JobID == "" || len(res.Body) == 0 {
			t.Errorf("result %d = %+v, want a DONE job with its id and body", want, res)
		}
	}
	if got := srv.Count(claritest.StartExport); got != 3 {
		t.Errorf("export POSTs = %d, want 3", got)
	}
}

func TestExportRelabelsRequestedPeriod(t *testing.T) {
	srv := newServer(t, claritest.WithExports(exportBody("2025_Q3", 5)))
	c, _ := newClient(t, srv.URL)
	res, err := c.Export(t.Context(), "f", clari.ExportRequest{TimePeriod: "2026_Q1"}, nil)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if got := res.Export.Entries[0].TimePeriodID; got != "2026_Q1" {
		t.Errorf("entry period = %q, want 2026_Q1", got)
	}
}

func TestExportResumeStartsNoJob(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv.URL)
	id, err := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Export(t.Context(), "f", clari.ExportRequest{}, &clari.ExportOptions{
		ResumeJobID:  id,
		OnJobStarted: func(string) error { t.Error("OnJobStarted called for a resumed job"); return nil },
	})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if res.JobID != id {
		t.Errorf("JobID = %q, want the resumed %q", res.JobID, id)
	}
	if got := srv.Count(claritest.StartExport); got != 1 {
		t.Errorf("export POSTs = %d, want 1", got)
	}
}

func TestExportOnJobStarted(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv.URL)
	var stored string
	res, err := c.Export(t.Context(), "f", clari.ExportRequest{}, &clari.ExportOptions{
		OnJobStarted: func(id string) error {
			if srv.Count(claritest.JobStatus) != 0 {
				t.Error("OnJobStarted called after polling began")
			}
			stored = id
			return nil
		},
	})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if stored == "" || stored != res.JobID {
		t.Errorf("stored id %q, want the job id %q", stored, res.JobID)
	}

	hookErr := errors.New("disk full")
	res, err = c.Export(t.Context(), "f", clari.ExportRequest{}, &clari.ExportOptions{
		OnJobStarted: func(string) error { return hookErr },
	})
	if !errors.Is(err, hookErr) {
		t.Errorf("Export error = %v, want the hook's error", err)
	}
	if res == nil || res.JobID == "" {
		t.Errorf("result = %+v, want the started job's id", res)
	}
}

func TestExportChecks(t *testing.T) {
	body := exportBody("2025_Q3", 7)
	tests := []struct {
		name  string
		job   claritest.ExportJob
		opts  []clari.Option
		want  error
		check func(*testing.T, error)
	}{
		{name: "period fallback", job: claritest.ExportJob{Body: body, PeriodFallback: true},
			want: clari.ErrPeriodMismatch, check: func(t *testing.T, err error) {
				var pm *clari.PeriodMismatchError
				if !errors.As(err, &pm) || pm.Requested != "2026_Q1" || pm.Returned != "2025_Q3" {
					t.Errorf("error = %#v, want requested 2026_Q1 and returned 2025_Q3", err)
				}
			}},
		{name: "rows truncated", job: claritest.ExportJob{Body: body, RowsTruncated: true}, want: clari.ErrTruncated},
		{name: "cells truncated", job: claritest.ExportJob{Body: body, CellsTruncated: true}, want: clari.ErrTruncated},
		{name: "truncation allowed", job: claritest.ExportJob{Body: body, RowsTruncated: true},
			opts: []clari.Option{clari.WithAllowTruncated(true)}},
		{name: "short body", job: claritest.ExportJob{Body: body, ShortBody: true}, want: clari.ErrIncompleteBody},
		{name: "cut JSON", job: claritest.ExportJob{Body: body, CutBody: 60}, want: clari.ErrInvalidExport,
			check: func(t *testing.T, err error) {
				var de *clari.DecodeError
				if !errors.As(err, &de) || de.Offset == 0 || !strings.Contains(err.Error(), "byte") {
					t.Errorf("error = %v, want a DecodeError with the byte offset", err)
				}
			}},
		{name: "invalid JSON", job: claritest.ExportJob{Body: []byte(`{"entries": [nope]}`)}, want: clari.ErrInvalidExport},
		{name: "too large", job: claritest.ExportJob{Body: body}, opts: []clari.Option{clari.WithMaxDownloadSize(20)},
			want: clari.ErrTooLarge},
		{name: "failed job", job: claritest.ExportJob{FinalStatus: clari.StatusFailed}, want: clari.ErrJobFailed,
			check: func(t *testing.T, err error) {}},
		{name: "slow job", job: claritest.ExportJob{Body: body, ExtraPolls: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, claritest.WithJobs(tt.job))
			c, _ := newClient(t, srv.URL, tt.opts...)
			res, err := c.Export(t.Context(), "f", clari.ExportRequest{TimePeriod: "2026_Q1"}, nil)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Export: %v", err)
				}
				if got, want := srv.Count(claritest.JobStatus), claritest.DefaultPollsToDone+tt.job.ExtraPolls; got != want {
					t.Errorf("status polls = %d, want %d", got, want)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Export error = %v, want %v", err, tt.want)
			}
			if res == nil || res.JobID == "" || res.Job == nil {
				t.Errorf("result = %+v, want the job id and job", res)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

func TestExportRejectsCSV(t *testing.T) {
	c, _ := newClient(t, "http://127.0.0.1:1/v4")
	if _, err := c.Export(t.Context(), "f", clari.ExportRequest{ExportFormat: "CSV"}, nil); err == nil {
		t.Error("Export returned no error for CSV")
	}
}

func TestDownloadTooLargeWithoutContentLength(t *testing.T) {
	base := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for range 10 {
			_, _ = w.Write(bytes.Repeat([]byte("x"), 100))
			w.(http.Flusher).Flush() // chunked: no Content-Length
		}
	}))
	c, _ := newClient(t, base, clari.WithMaxDownloadSize(999))
	if _, err := c.Download(t.Context(), "j1"); !errors.Is(err, clari.ErrTooLarge) {
		t.Errorf("Download error = %v, want ErrTooLarge", err)
	}
	c, _ = newClient(t, base, clari.WithMaxDownloadSize(1000))
	if body, err := c.Download(t.Context(), "j1"); err != nil || len(body) != 1000 {
		t.Errorf("Download = %d bytes, %v; want 1000 bytes", len(body), err)
	}
}

func TestDownloadBeforeDone(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv.URL)
	id, _ := c.StartExport(t.Context(), "f", clari.ExportRequest{})
	_, err := c.Download(t.Context(), id)
	var apiErr *clari.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "invalid_jobId" {
		t.Errorf("Download error = %v, want an APIError with code invalid_jobId", err)
	}
}

// TestNoSecretInErrorsOrLogs runs every failure path with a known API key
// and a debug logger and checks that the key is in no error and no log line.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var errs []error
	run := func(job claritest.ExportJob, faults map[claritest.Endpoint][]claritest.Fault, opts ...clari.Option) {
		srv := newServer(t, claritest.WithJobs(job))
		for ep, f := range faults {
			srv.Inject(ep, f...)
		}
		c, _ := newClient(t, srv.URL, append(opts, clari.WithLogger(logger))...)
		logger.Info("client", "client", c)
		_, err := c.Export(t.Context(), "f", clari.ExportRequest{TimePeriod: "2026_Q1"}, nil)
		errs = append(errs, err, c.CancelJob(t.Context(), "missing"))
		_, err = c.ListJobs(t.Context())
		errs = append(errs, err)
	}
	body := exportBody("2025_Q3", 1)
	run(claritest.ExportJob{Body: body}, map[claritest.Endpoint][]claritest.Fault{
		claritest.StartExport: {claritest.RateLimited("1"), claritest.QuotaReached()}})
	run(claritest.ExportJob{Body: body}, map[claritest.Endpoint][]claritest.Fault{
		claritest.StartExport: {claritest.ServerError(500)}, claritest.ListJobs: {claritest.NoOptIn()}})
	run(claritest.ExportJob{Body: body}, map[claritest.Endpoint][]claritest.Fault{
		claritest.JobStatus: {claritest.ServerError(503), claritest.ServerError(503), claritest.ServerError(503)},
		claritest.ListJobs:  {{Status: 400, Body: "echo " + testKey}}})
	run(claritest.ExportJob{Body: body}, map[claritest.Endpoint][]claritest.Fault{
		claritest.Results: {claritest.RateLimited(""), claritest.ServerError(500), claritest.ServerError(502)}})
	for _, job := range []claritest.ExportJob{
		{FinalStatus: clari.StatusFailed}, {FinalStatus: clari.StatusAborted}, {Body: body, PeriodFallback: true},
		{Body: body, RowsTruncated: true}, {Body: body, ShortBody: true}, {Body: body, CutBody: 30},
	} {
		run(job, nil)
	}
	run(claritest.ExportJob{Body: body}, nil, clari.WithMaxDownloadSize(10))

	// Wrong key, closed port and a cancelled context.
	c, _ := newClient(t, claritest.NewServer(t).URL, clari.WithLogger(logger))
	_, err := c.Export(t.Context(), "f", clari.ExportRequest{}, nil)
	errs = append(errs, err)
	c, _ = newClient(t, "http://127.0.0.1:1/v4", clari.WithLogger(logger))
	_, err = c.Limits(t.Context())
	errs = append(errs, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = c.WaitJob(ctx, "j1")
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			continue
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, testKey) {
				t.Errorf("error %d contains the API key: %s", i, s)
			}
		}
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), logs.String()} {
		if strings.Contains(s, testKey) {
			t.Errorf("output contains the API key: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "retrying request") {
		t.Error("no retry was logged: the failure paths did not run")
	}
}

// TestDownloadBufferNotSizedByHeader checks that a Content-Length the
// body does not deliver does not make the client allocate that much.
func TestDownloadBufferNotSizedByHeader(t *testing.T) {
	const declared = 300 << 20
	base := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(declared))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("{"))
	}))
	c, _ := newClient(t, base, clari.WithRetry(1, time.Second, time.Second))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.Download(t.Context(), "j1")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, clari.ErrIncompleteBody) {
		t.Errorf("Download error = %v, want ErrIncompleteBody", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("Download of a 1-byte body allocated %d MiB, want far less than the %d MiB declared",
			got>>20, declared>>20)
	}
}

// TestDownloadBodySizes checks that bodies around and across the read
// chunk boundaries arrive whole, with and without Content-Length, and that
// the size limit holds exactly.
func TestDownloadBodySizes(t *testing.T) {
	const k = 64 << 10 // first read chunk
	tests := []struct {
		name    string
		size    int
		max     int64
		chunked bool
		want    error
	}{
		{name: "empty", size: 0},
		{name: "one byte", size: 1},
		{name: "one chunk", size: k},
		{name: "one chunk and a byte", size: k + 1, chunked: true},
		{name: "two chunks exactly", size: 3 * k},
		{name: "many chunks", size: 5<<20 + 7},
		{name: "many chunks chunked", size: 5<<20 + 7, chunked: true},
		{name: "at the limit", size: 3*k + 1, max: 3*k + 1, chunked: true},
		{name: "one byte over the limit", size: 3*k + 1, max: 3 * k, chunked: true, want: clari.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := make([]byte, tt.size)
			for i := range body {
				body[i] = byte(i*7 + i>>16)
			}
			base := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if !tt.chunked {
					w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				}
				for rest := body; len(rest) > 0; {
					n := min(len(rest), 100_000)
					_, _ = w.Write(rest[:n])
					rest = rest[n:]
					if tt.chunked {
						w.(http.Flusher).Flush()
					}
				}
			}))
			var opts []clari.Option
			if tt.max > 0 {
				opts = append(opts, clari.WithMaxDownloadSize(tt.max))
			}
			c, _ := newClient(t, base, opts...)
			got, err := c.Download(t.Context(), "j1")
			if !errors.Is(err, tt.want) {
				t.Fatalf("Download error = %v, want %v", err, tt.want)
			}
			if tt.want == nil && !bytes.Equal(got, body) {
				t.Errorf("Download returned %d bytes that differ from the %d bytes sent", len(got), len(body))
			}
		})
	}
}

// TestDownloadCutChunkedBody checks that a chunked body that stops
// before its last chunk is reported as incomplete, not as a short export.
func TestDownloadCutChunkedBody(t *testing.T) {
	base := newRawServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		chunk := bytes.Repeat([]byte("x"), 200_000)
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n", len(chunk), chunk, len(chunk))
		buf.Write(chunk[:1000])
		buf.Flush()
	}))
	c, _ := newClient(t, base, clari.WithRetry(1, time.Second, time.Second))
	if _, err := c.Download(t.Context(), "j1"); !errors.Is(err, clari.ErrIncompleteBody) {
		t.Errorf("Download error = %v, want ErrIncompleteBody", err)
	}
}
