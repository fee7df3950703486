package clari

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Status is the state of an export job.
type Status string

// Job states. A new job is SCHEDULED or STARTED; it ends DONE, FAILED,
// CANCELLED (cancelled before it ran) or ABORTED (cancelled while
// running). Any other value counts as still running.
const (
	StatusScheduled Status = "SCHEDULED"
	StatusStarted   Status = "STARTED"
	StatusDone      Status = "DONE"
	StatusFailed    Status = "FAILED"
	StatusCancelled Status = "CANCELLED"
	StatusAborted   Status = "ABORTED"
)

// Terminal reports whether s is a final state: DONE, FAILED, CANCELLED or
// ABORTED.
func (s Status) Terminal() bool {
	switch s {
	case StatusDone, StatusFailed, StatusCancelled, StatusAborted:
		return true
	}
	return false
}

// Job is an export job as the jobs endpoints return it. Ids arrive as JSON
// strings or numbers; times arrive in epoch milliseconds and are zero when
// absent.
type Job struct {
	JobID          string
	Status         Status
	UserID         string
	OrgID          string
	Title          string
	Module         string
	FileName       string
	FileType       string
	Currency       string
	StartTime      time.Time
	EndTime        time.Time
	ExpiredTime    time.Time
	Version        int64
	Downloads      int64
	Viewed         bool
	RowsTruncated  bool
	CellsTruncated bool
}

// jobJSON is the wire form of [Job].
type jobJSON struct {
	JobID          flexString `json:"jobId"`
	Status         flexString `json:"status"`
	UserID         flexString `json:"userId"`
	OrgID          flexString `json:"orgId"`
	Title          flexString `json:"title"`
	Module         flexString `json:"module"`
	FileName       flexString `json:"fileName"`
	FileType       flexString `json:"fileType"`
	Currency       flexString `json:"currency"`
	StartTime      flexInt    `json:"startTime"`
	EndTime        flexInt    `json:"endTime"`
	ExpiredTime    flexInt    `json:"expiredTime"`
	Version        flexInt    `json:"version"`
	Downloads      flexInt    `json:"downloads"`
	Viewed         flexBool   `json:"viewed"`
	RowsTruncated  flexBool   `json:"rowsTruncated"`
	CellsTruncated flexBool   `json:"cellsTruncated"`
}

func (j jobJSON) job() *Job {
	return &Job{
		JobID: string(j.JobID), Status: Status(j.Status),
		UserID: string(j.UserID), OrgID: string(j.OrgID),
		Title: string(j.Title), Module: string(j.Module),
		FileName: string(j.FileName), FileType: string(j.FileType), Currency: string(j.Currency),
		StartTime: epochMillis(j.StartTime), EndTime: epochMillis(j.EndTime),
		ExpiredTime: epochMillis(j.ExpiredTime),
		Version:     int64(j.Version), Downloads: int64(j.Downloads),
		Viewed: bool(j.Viewed), RowsTruncated: bool(j.RowsTruncated), CellsTruncated: bool(j.CellsTruncated),
	}
}

func epochMillis(ms flexInt) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}

// Limits is the org's export quota from GET /admin/limits. The quota is
// counted per org over a rolling 30 days.
type Limits struct {
	ConcurrentLimit          int64
	AvailableConcurrentLimit int64
	MonthlyQuota             int64
	AvailableMonthlyQuota    int64
	RunningJobIDs            []string
	SubmittedJobIDs          []string
}

type limitsJSON struct {
	ConcurrentLimit          flexInt      `json:"concurrentLimit"`
	AvailableConcurrentLimit flexInt      `json:"availableConcurrentLimit"`
	MonthlyQuota             flexInt      `json:"monthlyQuota"`
	AvailableMonthlyQuota    flexInt      `json:"availableMonthlyQuota"`
	RunningJobIDs            []flexString `json:"runningJobIds"`
	SubmittedJobIDs          []flexString `json:"submittedJobIds"`
}

// ExportRequest is the body of a forecast export request. Every field is
// optional; Clari's defaults apply to the zero values.
type ExportRequest struct {
	// TimePeriod is a fiscal quarter such as "2025_Q3"; empty means the
	// current quarter.
	TimePeriod string `json:"timePeriod,omitempty"`
	// TypesToExport lists value types such as "forecast", "quota",
	// "forecast_updated" and "adjustment"; empty means forecast and
	// forecast_updated.
	TypesToExport []string `json:"typesToExport,omitempty"`
	// ScopeID is the root of the hierarchy to export, such as "1905::MGR".
	ScopeID string `json:"scopeId,omitempty"`
	// Currency is a currency code such as "USD".
	Currency string `json:"currency,omitempty"`
	// Schedule is NONE, ONCE or MAX: how often Clari retries a failed job,
	// 30 minutes apart.
	Schedule string `json:"schedule,omitempty"`
	// IncludeHistorical adds the week-by-week values since the start of
	// the period.
	IncludeHistorical bool `json:"includeHistorical,omitempty"`
	// ExportFormat is JSON (the default) or CSV.
	ExportFormat string `json:"exportFormat,omitempty"`
}

func (r ExportRequest) validate() error {
	switch r.Schedule {
	case "", "NONE", "ONCE", "MAX":
	default:
		return fmt.Errorf("clari: invalid schedule %q: use NONE, ONCE or MAX", r.Schedule)
	}
	switch r.ExportFormat {
	case "", "JSON", "CSV":
	default:
		return fmt.Errorf("clari: invalid export format %q: use JSON or CSV", r.ExportFormat)
	}
	return nil
}

// StartExport starts a forecast export of the forecast tab forecastID,
// such as "net_bookings", and returns the new job's id. Every successful
// request uses one export of the org's monthly quota, so the request is
// retried only when Clari provably did not receive it or returned 429.
// Store the job id before waiting, so that a retried run can resume it.
func (c *Client) StartExport(ctx context.Context, forecastID string, req ExportRequest) (string, error) {
	if forecastID == "" {
		return "", errors.New("clari: empty forecast id: use the forecast tab id from the Clari URL, such as net_bookings")
	}
	if isDotSegment(forecastID) {
		return "", fmt.Errorf("clari: invalid forecast id %q: use the forecast tab id from the Clari URL, such as net_bookings",
			forecastID)
	}
	if err := req.validate(); err != nil {
		return "", err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("clari: encoding the export request: %w", err)
	}
	r := request{
		method: http.MethodPost, endpoint: "/export/forecast/{forecastId}",
		path: "/export/forecast/" + url.PathEscape(forecastID), body: body,
	}
	var out struct {
		JobID flexString `json:"jobId"`
		Job   struct {
			JobID flexString `json:"jobId"`
		} `json:"job"`
	}
	if err := c.getJSON(ctx, r, &out); err != nil {
		return "", err
	}
	id := string(out.JobID)
	if id == "" {
		id = string(out.Job.JobID)
	}
	if id == "" {
		return "", fmt.Errorf("clari: POST %s: response has no jobId", r.endpoint)
	}
	return id, nil
}

// JobStatus returns the current state of job jobID. It accepts both the
// flat job object and the {"job": {...}} envelope.
func (c *Client) JobStatus(ctx context.Context, jobID string) (*Job, error) {
	r, err := jobRequest(http.MethodGet, jobID, "")
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.getJSON(ctx, r, &raw); err != nil {
		return nil, err
	}
	job, err := decodeJob(raw)
	if err != nil {
		return nil, fmt.Errorf("clari: GET %s (job %s): %w", r.endpoint, jobID, err)
	}
	if job.JobID == "" {
		job.JobID = jobID
	}
	return job, nil
}

// decodeJob decodes a job object, flat or wrapped in {"job": ...}.
func decodeJob(raw []byte) (*Job, error) {
	var env struct {
		Job json.RawMessage `json:"job"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("invalid job object: %w", err)
	}
	if len(env.Job) > 0 && env.Job[0] == '{' {
		raw = env.Job
	}
	var j jobJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("invalid job object: %w", err)
	}
	if j.Status == "" {
		return nil, errors.New("job object has no status")
	}
	return j.job(), nil
}

// CancelJob cancels job jobID, which frees the export's quota. Cancelling
// a job that is already DONE fails with an *APIError (code
// export_failed_to_cancel).
func (c *Client) CancelJob(ctx context.Context, jobID string) error {
	r, err := jobRequest(http.MethodPatch, jobID, "")
	if err != nil {
		return err
	}
	r.body = []byte(`{"type":"CANCEL"}`)
	var out struct {
		Status     flexString `json:"status"`
		Successful *flexBool  `json:"successful"`
	}
	if err := c.getJSON(ctx, r, &out); err != nil {
		return err
	}
	if out.Successful != nil && !*out.Successful {
		return fmt.Errorf("clari: cancelling job %s was not successful (status %q)", jobID, out.Status)
	}
	return nil
}

// ListJobs returns the export jobs of the API key's user. It accepts a JSON
// array of jobs and the {"jobs": [...]} envelope.
func (c *Client) ListJobs(ctx context.Context) ([]Job, error) {
	r := request{method: http.MethodGet, endpoint: "/export/jobs", path: "/export/jobs", idempotent: true}
	var raw json.RawMessage
	if err := c.getJSON(ctx, r, &raw); err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if len(raw) > 0 && raw[0] == '{' {
		var env struct {
			Jobs []json.RawMessage `json:"jobs"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			return nil, fmt.Errorf("clari: GET /export/jobs: %w", err)
		}
		items = env.Jobs
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("clari: GET /export/jobs: expected a JSON array of jobs: %w", err)
	}
	jobs := make([]Job, 0, len(items))
	for i, item := range items {
		job, err := decodeJob(item)
		if err != nil {
			return nil, fmt.Errorf("clari: GET /export/jobs: job %d: %w", i, err)
		}
		jobs = append(jobs, *job)
	}
	return jobs, nil
}

// Limits returns the org's export limits from GET /admin/limits. It
// accepts the documented {"jobs": {...}} form and the bare object.
func (c *Client) Limits(ctx context.Context) (*Limits, error) {
	r := request{method: http.MethodGet, endpoint: "/admin/limits", path: "/admin/limits", idempotent: true}
	var raw json.RawMessage
	if err := c.getJSON(ctx, r, &raw); err != nil {
		return nil, err
	}
	var env struct {
		Jobs json.RawMessage `json:"jobs"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("clari: GET /admin/limits: expected a JSON object: %w", err)
	}
	if len(env.Jobs) > 0 && env.Jobs[0] == '{' {
		raw = env.Jobs
	}
	var l limitsJSON
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("clari: GET /admin/limits: %w", err)
	}
	return &Limits{
		ConcurrentLimit: int64(l.ConcurrentLimit), AvailableConcurrentLimit: int64(l.AvailableConcurrentLimit),
		MonthlyQuota: int64(l.MonthlyQuota), AvailableMonthlyQuota: int64(l.AvailableMonthlyQuota),
		RunningJobIDs: flexStrings(l.RunningJobIDs), SubmittedJobIDs: flexStrings(l.SubmittedJobIDs),
	}, nil
}

func flexStrings(in []flexString) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// jobRequest builds a request on /export/jobs/{jobId} plus suffix. Every
// call on an existing job is safe to repeat.
func jobRequest(method, jobID, suffix string) (request, error) {
	if jobID == "" {
		return request{}, errors.New("clari: empty job id: pass the id that StartExport returned")
	}
	if isDotSegment(jobID) {
		return request{}, fmt.Errorf("clari: invalid job id %q: pass the id that StartExport returned", jobID)
	}
	return request{
		method: method, endpoint: "/export/jobs/{jobId}" + suffix,
		path: "/export/jobs/" + url.PathEscape(jobID) + suffix, jobID: jobID, idempotent: true,
	}, nil
}

// isDotSegment reports whether s is "." or "..". url.PathEscape keeps
// both, and servers resolve them as path steps, so such an id would
// address another endpoint.
func isDotSegment(s string) bool { return s == "." || s == ".." }

// flexString decodes a JSON string, number or boolean as text; null
// leaves it empty and an object or array keeps its JSON text.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	default:
		*s = flexString(b)
	}
	return nil
}

// flexInt decodes a JSON integer, a float with an integral value, or a
// string that holds one; null leaves it 0.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	if v, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		*n = flexInt(v)
		return nil
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil || f != float64(int64(f)) {
		return fmt.Errorf("invalid integer %q", shorten(string(s), 40))
	}
	*n = flexInt(f)
	return nil
}

// flexBool decodes a JSON boolean or the strings "true" and "false"; null
// leaves it false.
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	switch s {
	case "", "false":
		*v = false
	case "true":
		*v = true
	default:
		return fmt.Errorf("invalid boolean %q", shorten(string(s), 40))
	}
	return nil
}
