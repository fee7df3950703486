package claritest

import (
	"encoding/json"
	"net/http"

	"github.com/clariwatch/clariwatch/clari"
)

// Endpoint names one route of the emulator, for [Server.Inject] and
// [Server.Count].
type Endpoint string

// The emulated endpoints, relative to the /v4 base.
const (
	StartExport Endpoint = "POST /export/forecast/{forecastId}"
	JobStatus   Endpoint = "GET /export/jobs/{jobId}"
	Results     Endpoint = "GET /export/jobs/{jobId}/results"
	CancelJob   Endpoint = "PATCH /export/jobs/{jobId}"
	ListJobs    Endpoint = "GET /export/jobs"
	Limits      Endpoint = "GET /admin/limits"
)

// Fault is a response that replaces the normal one of a single request.
type Fault struct {
	// Status is the HTTP status code.
	Status int
	// RetryAfter is the Retry-After header; empty sends none.
	RetryAfter string
	// Code and Message fill Clari's error body
	// {"code", "namespace", "errorId", "message"}; see also Body.
	Code    string
	Message string
	// Body, when set, is sent verbatim instead of the error body.
	Body string
}

// RateLimited is a 429 fault; retryAfter is the Retry-After header, in
// seconds or as an HTTP date, and empty sends none.
func RateLimited(retryAfter string) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter,
		Code: "rate_limit_exceeded", Message: "API rate limit exceeded"}
}

// ServerError is a fault with a 5xx status such as 500 or 503.
func ServerError(status int) Fault {
	return Fault{Status: status, Code: "internal_server_error", Message: http.StatusText(status)}
}

// QuotaReached is Clari's 400 quota error, code
// export_monthly_quota_reached.
func QuotaReached() Fault {
	return Fault{Status: http.StatusBadRequest, Code: "export_monthly_quota_reached",
		Message: "The monthly quota limit of 30 or concurrent limit of 1 has been reached"}
}

// NoOptIn is Clari's 401 error for a user who is not opted in to the
// forecast, code no_optin.
func NoOptIn() Fault {
	return Fault{Status: http.StatusUnauthorized, Code: "no_optin",
		Message: "User has not opted in to any forecast"}
}

func (f Fault) write(w http.ResponseWriter) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	writeError(w, f.Status, f.Code, "exports", f.Message)
}

// writeError writes Clari's export error body.
func writeError(w http.ResponseWriter, status int, code, namespace, message string) {
	writeJSON(w, status, map[string]any{
		"code": code, "namespace": namespace, "message": message,
		"errorId": "claritest-" + code, "orgId": 1,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// ExportJob scripts one export job: the export it returns and the faults
// it shows. The zero value of each fault field means no fault.
type ExportJob struct {
	// Body is the export the results endpoint returns. Nil means the
	// built-in export.
	Body []byte
	// FinalStatus replaces DONE as the job's final status, for example
	// clari.StatusFailed.
	FinalStatus clari.Status
	// ExtraPolls delays the final status by this many polls: a slow job.
	ExtraPolls int
	// RowsTruncated and CellsTruncated set the job's truncation flags.
	RowsTruncated  bool
	CellsTruncated bool
	// PeriodFallback returns Body unchanged whatever period the request
	// names, as Clari does when it falls back to the current quarter.
	// Without it, a request for another period than Body's first one
	// gets Body relabelled to the requested period.
	PeriodFallback bool
	// ShortBody sends half the results with the Content-Length of all
	// of them, as a dropped connection would.
	ShortBody bool
	// CutBody, when positive, sends only the first CutBody bytes of the
	// results with a matching Content-Length: invalid JSON.
	CutBody int
}
