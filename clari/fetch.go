package clari

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Download returns the results of job jobID, which must be DONE. It fails
// with [ErrTooLarge] when the results exceed the limit set with
// [WithMaxDownloadSize], and with [ErrIncompleteBody] when the body ends
// before its Content-Length.
func (c *Client) Download(ctx context.Context, jobID string) ([]byte, error) {
	r, err := jobRequest(http.MethodGet, jobID, "/results")
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.maxDownload {
		return nil, fmt.Errorf("clari: results of job %s are %d bytes: %w of %d bytes; raise it with WithMaxDownloadSize",
			jobID, resp.ContentLength, ErrTooLarge, c.maxDownload)
	}
	body, err := readBody(resp, c.maxDownload)
	switch {
	case errors.Is(err, ErrTooLarge):
		return nil, fmt.Errorf("clari: results of job %s: %w than the limit of %d bytes; raise it with WithMaxDownloadSize",
			jobID, ErrTooLarge, c.maxDownload)
	case errors.Is(err, ErrIncompleteBody):
		return nil, fmt.Errorf("clari: results of job %s: %w: got %d of %d bytes; download again",
			jobID, ErrIncompleteBody, len(body), resp.ContentLength)
	case err != nil:
		return nil, fmt.Errorf("clari: reading results of job %s after %d bytes: %w", jobID, len(body), err)
	}
	return body, nil
}

// The download buffer starts at firstChunk bytes and doubles up to
// maxChunk. It is never sized from Content-Length, so a header alone
// cannot make the client allocate up to the download limit.
const (
	firstChunk = 64 << 10
	maxChunk   = 16 << 20
)

// readBody reads at most max bytes of resp's body. It returns
// [ErrTooLarge] for a longer body and [ErrIncompleteBody] for one shorter
// than its Content-Length, with what was read.
//
// The body is read into chunks and joined once at the end, so each byte
// is copied once. Growing a single slice with append would copy a large
// body about ten times, and each of those copies is one long memmove that
// the garbage collector has to wait for.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	var chunks [][]byte
	total := int64(0)
	size := firstChunk
	for {
		// One byte past max is enough to tell that the body is too large.
		chunk, err := readChunk(resp.Body, int(min(int64(size), max-total+1)))
		chunks = append(chunks, chunk)
		total += int64(len(chunk))
		if total > max {
			return nil, ErrTooLarge
		}
		switch {
		case err == io.EOF:
			body := joinChunks(chunks, total)
			if resp.ContentLength >= 0 && total < resp.ContentLength {
				return body, ErrIncompleteBody
			}
			return body, nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return joinChunks(chunks, total), ErrIncompleteBody
		case err != nil:
			return joinChunks(chunks, total), err
		}
		size = min(2*size, maxChunk)
	}
}

// readChunk reads from r into a new buffer of size bytes until the
// buffer is full or r returns an error. It returns nil for a full buffer
// and the reader's error, io.EOF included, otherwise.
func readChunk(r io.Reader, size int) ([]byte, error) {
	buf := make([]byte, size)
	n := 0
	for n < size {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return buf[:n], err
		}
	}
	return buf, nil
}

// joinChunks copies chunks, total bytes in all, into one slice.
func joinChunks(chunks [][]byte, total int64) []byte {
	if len(chunks) == 1 {
		return chunks[0]
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

// ExportOptions are per-call options of [Client.Export]. A nil
// *ExportOptions means all zero values.
type ExportOptions struct {
	// ResumeJobID, when set, makes Export wait for this existing job
	// instead of starting one, so that a retried run never starts a
	// second export and uses quota twice.
	ResumeJobID string
	// OnJobStarted, when set, is called with the new job's id right after
	// the export starts and before waiting, so that the caller can store
	// the id and pass it as ResumeJobID after a crash. An error from it
	// stops Export; the job keeps running. It is not called when
	// ResumeJobID is set.
	OnJobStarted func(jobID string) error
}

// Result is the job and export that [Client.Export] fetched.
type Result struct {
	JobID string
	// Job is the final job state, with its time fields.
	Job *Job
	// Body is the raw export, as downloaded.
	Body []byte
	// Export is Body decoded.
	Export *Export
}

// Export runs a whole JSON forecast export: it starts the export (or
// resumes opts.ResumeJobID), waits for the job, downloads and decodes the
// results, and checks them. The checks fail with [ErrTruncated] when Clari
// flagged the job rowsTruncated or cellsTruncated, unless the client was
// made with [WithAllowTruncated](true). They fail with
// *[PeriodMismatchError] when req.TimePeriod is set and the export's first
// time period differs. For results that are not a valid export, they fail
// with [ErrInvalidExport], wrapping a *[DecodeError] that gives the byte
// offset.
//
// Once a job exists, Export returns a non-nil *Result with JobID set, and
// Job when known, even with an error, so that the caller can resume or
// cancel the job.
func (c *Client) Export(ctx context.Context, forecastID string, req ExportRequest, opts *ExportOptions) (*Result, error) {
	if opts == nil {
		opts = &ExportOptions{}
	}
	if req.ExportFormat != "" && req.ExportFormat != "JSON" {
		return nil, fmt.Errorf("clari: Export decodes JSON only, not export format %q: use StartExport, WaitJob and Download",
			req.ExportFormat)
	}
	res := &Result{JobID: opts.ResumeJobID}
	if res.JobID == "" {
		id, err := c.StartExport(ctx, forecastID, req)
		if err != nil {
			return nil, err
		}
		res.JobID = id
		c.log.InfoContext(ctx, "clari: export job started", "job_id", id, "forecast_id", forecastID,
			"time_period", req.TimePeriod)
		if opts.OnJobStarted != nil {
			if err := opts.OnJobStarted(id); err != nil {
				return res, fmt.Errorf("clari: export job %s started but OnJobStarted failed: %w", id, err)
			}
		}
	}
	job, err := c.WaitJob(ctx, res.JobID)
	if err != nil {
		var je *JobError
		if errors.As(err, &je) {
			res.Job = je.Job
		}
		return res, err
	}
	res.Job = job
	if err := c.fetchResults(ctx, res, req.TimePeriod); err != nil {
		return res, err
	}
	return res, nil
}

// fetchResults checks the job's truncation flags, then downloads, decodes
// and checks the results of a DONE job.
func (c *Client) fetchResults(ctx context.Context, res *Result, period string) error {
	if (res.Job.RowsTruncated || res.Job.CellsTruncated) && !c.allowTruncated {
		return fmt.Errorf("clari: export job %s: %w (rowsTruncated %t, cellsTruncated %t): export a smaller scope or allow it with WithAllowTruncated",
			res.JobID, ErrTruncated, res.Job.RowsTruncated, res.Job.CellsTruncated)
	}
	body, err := c.Download(ctx, res.JobID)
	if err != nil {
		return err
	}
	res.Body = body
	exp, err := DecodeBytes(body)
	if err != nil {
		return fmt.Errorf("clari: results of job %s (%d bytes): %w: %w", res.JobID, len(body), ErrInvalidExport, err)
	}
	res.Export = exp
	if period == "" {
		return nil
	}
	got := ""
	if len(exp.TimePeriods) > 0 {
		got = exp.TimePeriods[0].TimePeriodID
	}
	if got != period {
		return &PeriodMismatchError{JobID: res.JobID, Requested: period, Returned: got}
	}
	return nil
}
