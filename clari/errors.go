package clari

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Errors that callers match with [errors.Is]. The API and job errors are
// typed as well: use [errors.As] with *[APIError], *[JobError] or
// *[PeriodMismatchError] for the details.
var (
	// ErrQuotaReached matches an *APIError with code
	// export_monthly_quota_reached, which Clari returns (as a 400) when
	// the org's monthly export quota or its concurrent job limit is used
	// up. Check [Client.Limits] before starting more exports.
	ErrQuotaReached = errors.New("clari: export quota or concurrent job limit reached")
	// ErrNoOptIn matches an *APIError with code no_optin: the user who
	// owns the API key is not opted in to the forecast.
	ErrNoOptIn = errors.New("clari: API user is not opted in to the forecast")
	// ErrUnauthorized matches any other 401 *APIError, such as an invalid
	// or revoked API key.
	ErrUnauthorized = errors.New("clari: unauthorized")
	// ErrRateLimited matches a 429 *APIError, returned once the retries
	// are used up.
	ErrRateLimited = errors.New("clari: rate limited")

	// ErrJobFailed, ErrJobCancelled and ErrJobAborted match the *JobError
	// of a job that ended FAILED, CANCELLED (before it ran) or ABORTED
	// (cancelled while running).
	ErrJobFailed    = errors.New("clari: export job failed")
	ErrJobCancelled = errors.New("clari: export job cancelled")
	ErrJobAborted   = errors.New("clari: export job aborted")

	// ErrPeriodMismatch matches a *PeriodMismatchError.
	ErrPeriodMismatch = errors.New("clari: export is for another time period")
	// ErrTruncated reports a job that Clari flagged rowsTruncated or
	// cellsTruncated; see [WithAllowTruncated].
	ErrTruncated = errors.New("clari: export truncated by Clari")
	// ErrTooLarge reports a download above the limit set with
	// [WithMaxDownloadSize].
	ErrTooLarge = errors.New("clari: download too large")
	// ErrIncompleteBody reports a response body that ended before the
	// length its Content-Length header announced.
	ErrIncompleteBody = errors.New("clari: incomplete response body")
	// ErrInvalidExport reports export results that are not a valid JSON
	// export.
	ErrInvalidExport = errors.New("clari: invalid export")
)

// APIError is a non-2xx response from the API. Code, Namespace, ErrorID
// and Message come from the error body when it has Clari's export error
// shape ({"code", "namespace", "errorId", "message"}); for other bodies
// Message holds the start of the body.
type APIError struct {
	StatusCode int
	Code       string
	Namespace  string
	ErrorID    string
	Message    string
	// Method and Endpoint name the call, with the path as a template such
	// as "/export/jobs/{jobId}".
	Method   string
	Endpoint string
	// JobID is the job the call was about, if any.
	JobID string
	// Attempts is the number of attempts made, retries included.
	Attempts int
}

// Error returns the status, code and message in one line.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clari: %s %s", e.Method, e.Endpoint)
	if e.JobID != "" {
		fmt.Fprintf(&b, " (job %s)", e.JobID)
	}
	fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Namespace != "" {
		fmt.Fprintf(&b, " in %s", e.Namespace)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.ErrorID != "" {
		fmt.Fprintf(&b, " (errorId %s)", e.ErrorID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Is matches [ErrQuotaReached], [ErrNoOptIn], [ErrUnauthorized] and
// [ErrRateLimited].
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrQuotaReached:
		return e.Code == "export_monthly_quota_reached"
	case ErrNoOptIn:
		return e.Code == "no_optin"
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized && e.Code != "no_optin"
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// readAPIError builds an *APIError from resp, reading at most 1 MiB of
// its body. The API key is removed from the fields in case a server
// echoes it.
func (c *Client) readAPIError(r request, resp *http.Response, attempts int) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     r.method,
		Endpoint:   r.endpoint,
		JobID:      r.jobID,
		Attempts:   attempts,
	}
	parseErrorBody(e, body, string(c.key))
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// errorBody is the union of the error shapes that Clari's API families
// use; unknown fields are ignored.
type errorBody struct {
	Code      flexString `json:"code"`
	Namespace flexString `json:"namespace"`
	ErrorID   flexString `json:"errorId"`
	Message   flexString `json:"message"`
	Error     flexString `json:"error"`
	Errors    []struct {
		Code    flexString `json:"code"`
		Message flexString `json:"message"`
	} `json:"errors"`
}

// parseErrorBody fills e from an error body of any shape. A body that is
// not a JSON object becomes the message. Each field has key replaced by
// [REDACTED] and is then shortened, the message to 512 bytes and the
// others to 128, so that a cut never leaves part of the key behind. key
// must not be empty.
func parseErrorBody(e *APIError, body []byte, key string) {
	defer func() {
		for _, f := range []struct {
			s *string
			n int
		}{{&e.Code, 128}, {&e.Namespace, 128}, {&e.ErrorID, 128}, {&e.Message, 512}} {
			*f.s = shorten(strings.ReplaceAll(*f.s, key, redacted), f.n)
		}
	}()
	body = bytes.TrimSpace(body)
	var eb errorBody
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &eb) != nil {
		e.Message = string(body)
		return
	}
	e.Code, e.Namespace, e.ErrorID = string(eb.Code), string(eb.Namespace), string(eb.ErrorID)
	e.Message = string(eb.Message)
	if e.Message == "" {
		e.Message = string(eb.Error)
	}
	if len(eb.Errors) > 0 {
		if e.Code == "" {
			e.Code = string(eb.Errors[0].Code)
		}
		if e.Message == "" {
			e.Message = string(eb.Errors[0].Message)
		}
	}
}

// shorten returns s without control characters, cut to at most n bytes on
// a rune boundary.
func shorten(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// JobError reports an export job that ended FAILED, CANCELLED or ABORTED.
type JobError struct {
	JobID  string
	Status Status
	// Job is the last status read, including the time fields.
	Job *Job
}

// Error names the job and its final status.
func (e *JobError) Error() string {
	return fmt.Sprintf("clari: export job %s ended with status %s", e.JobID, e.Status)
}

// Is matches [ErrJobFailed], [ErrJobCancelled] or [ErrJobAborted] by
// status.
func (e *JobError) Is(target error) bool {
	switch target {
	case ErrJobFailed:
		return e.Status == StatusFailed
	case ErrJobCancelled:
		return e.Status == StatusCancelled
	case ErrJobAborted:
		return e.Status == StatusAborted
	}
	return false
}

// PeriodMismatchError reports an export for another time period than the
// one requested. Clari falls back to the current quarter when it does not
// recognise the requested period, without an error.
type PeriodMismatchError struct {
	JobID     string
	Requested string
	// Returned is timePeriods[0].timePeriodId of the export, or "" when
	// the export has no time periods.
	Returned string
}

// Error names both periods.
func (e *PeriodMismatchError) Error() string {
	returned := e.Returned
	if returned == "" {
		returned = "no period"
	}
	source := "the export"
	if e.JobID != "" {
		source = "export job " + e.JobID
	}
	return fmt.Sprintf("clari: %s returned %s, not the requested period %s; check the period format YYYY_QN",
		source, returned, e.Requested)
}

// Is matches [ErrPeriodMismatch].
func (e *PeriodMismatchError) Is(target error) bool { return target == ErrPeriodMismatch }
