package claritest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/clariwatch/clariwatch/clari"
)

// job is the emulator's state of one export job.
type job struct {
	id         string
	forecastID string
	spec       ExportJob
	body       []byte
	polls      int
	status     clari.Status
	start, end time.Time
}

// builtinExport is the export served when no export is scripted.
const builtinExport = `{
  "timePeriods": [{"timePeriodId": "2025_Q3", "startDate": "2025-08-01", "endDate": "2025-10-31",
    "label": "Q3", "year": 2025, "type": "quarter"}],
  "timeFrames": [{"timeFrameId": "0", "startDate": "2025-08-01", "endDate": "2025-08-07"}],
  "fields": [{"fieldId": "commit", "fieldName": "Commit", "fieldType": "forecast"}],
  "users": [{"userId": "2915", "email": "ana.rep@example.com", "name": "Ana Rep"}],
  "entries": [{"timePeriodId": "2025_Q3", "timeFrameId": "0", "userId": "2915", "fieldId": "commit",
    "forecastValue": 125000, "currency": "USD", "isUpdated": true, "updatedBy": "2915",
    "updatedOn": 1754900000000}]
}`

func (s *Server) handleStart(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		TimePeriod string `json:"timePeriod"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "exports", "invalid JSON body")
			return
		}
	}
	if req.TimePeriod == "" {
		req.TimePeriod = r.URL.Query().Get("timePeriod")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used >= s.quota || s.runningLocked() >= s.concurrent {
		QuotaReached().write(w)
		return
	}
	spec := s.nextScriptLocked()
	body = spec.Body
	if body == nil {
		body = []byte(builtinExport)
	}
	if req.TimePeriod != "" && !spec.PeriodFallback {
		body = relabelPeriod(body, req.TimePeriod)
	}
	s.used++
	j := &job{
		id: fmt.Sprintf("65f0c0de%016x", len(s.order)+1), forecastID: r.PathValue("forecastId"),
		spec: spec, body: body, status: clari.StatusScheduled, start: s.now(),
	}
	s.jobs[j.id] = j
	s.order = append(s.order, j.id)
	writeJSON(w, http.StatusOK, map[string]string{"jobId": j.id})
}

func (s *Server) nextScriptLocked() ExportJob {
	if len(s.scripts) == 0 {
		return ExportJob{}
	}
	i := min(s.next, len(s.scripts)-1)
	s.next++
	return s.scripts[i]
}

func (s *Server) runningLocked() int {
	n := 0
	for _, j := range s.jobs {
		if !j.status.Terminal() {
			n++
		}
	}
	return n
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[r.PathValue("jobId")]
	if !ok {
		writeError(w, http.StatusNotFound, "invalid_jobId", "exports", "no such job")
		return
	}
	if !j.status.Terminal() {
		j.polls++
		j.status = s.statusOf(j.spec, j.polls)
		if j.status.Terminal() {
			j.end = s.now()
		}
	}
	if s.flatStatus {
		writeJSON(w, http.StatusOK, j.wire())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"job": j.wire()})
}

// wire is the job object in Clari's field names.
func (j *job) wire() map[string]any {
	m := map[string]any{
		"jobId": j.id, "userId": 1001, "orgId": 1, "title": "Forecast Export", "module": "FORECAST",
		"status": j.status, "startTime": j.start.UnixMilli(), "version": 1,
		"fileName": "clari_export_forecast_" + j.forecastID + ".json", "fileType": "JSON",
		"viewed": false, "rowsTruncated": j.spec.RowsTruncated, "cellsTruncated": j.spec.CellsTruncated,
		"downloads": 0, "deliveryStatusMap": map[string]any{}, "currency": "USD",
	}
	if !j.end.IsZero() {
		m["endTime"] = j.end.UnixMilli()
		m["expiredTime"] = j.end.Add(30 * 24 * time.Hour).UnixMilli()
	}
	return m
}

func (s *Server) handleResults(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	j, ok := s.jobs[r.PathValue("jobId")]
	var spec ExportJob
	var body []byte
	done := ok && j.status == clari.StatusDone
	if done {
		spec, body = j.spec, j.body
	}
	s.mu.Unlock()
	if !done {
		writeError(w, http.StatusBadRequest, "invalid_jobId", "exports",
			"Cannot retrieve data for job because it has not finished executing")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case spec.ShortBody:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		body = body[:len(body)/2]
	case spec.CutBody > 0:
		body = body[:min(spec.CutBody, len(body))]
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Type != "CANCEL" {
		writeError(w, http.StatusBadRequest, "bad_request", "exports", `body must be {"type":"CANCEL"}`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[r.PathValue("jobId")]
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "invalid_jobId", "exports", "no such job")
		return
	case j.status.Terminal():
		writeError(w, http.StatusBadRequest, "export_failed_to_cancel", "exports",
			"Job has already finished and cannot be cancelled")
		return
	case j.status == clari.StatusScheduled:
		j.status = clari.StatusCancelled
	default:
		j.status = clari.StatusAborted
	}
	j.end = s.now()
	s.used--
	writeJSON(w, http.StatusOK, map[string]any{"status": "CANCELLED", "successful": true})
}

func (s *Server) handleList(w http.ResponseWriter, _ *http.Request, _ []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.jobs[id].wire())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleLimits(w http.ResponseWriter, _ *http.Request, _ []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	running, submitted := []string{}, []string{}
	for _, id := range s.order {
		switch s.jobs[id].status {
		case clari.StatusScheduled:
			submitted = append(submitted, id)
		case clari.StatusStarted:
			running = append(running, id)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": map[string]any{
		"concurrentLimit": s.concurrent, "monthlyQuota": s.quota,
		"runningJobIds": running, "submittedJobIds": submitted,
		"availableConcurrentLimit": max(s.concurrent-len(running)-len(submitted), 0),
		"availableMonthlyQuota":    max(s.quota-s.used, 0),
	}})
}

// relabelPeriod returns body with its first time period, and the entries
// of that period, renamed to period. A body it cannot parse is returned
// unchanged.
func relabelPeriod(body []byte, period string) []byte {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return body
	}
	periods, _ := doc["timePeriods"].([]any)
	if len(periods) == 0 {
		return body
	}
	first, _ := periods[0].(map[string]any)
	old, _ := first["timePeriodId"].(string)
	if old == "" || old == period {
		return body
	}
	first["timePeriodId"] = period
	entries, _ := doc["entries"].([]any)
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok && m["timePeriodId"] == old {
			m["timePeriodId"] = period
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}
