package copilottest

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// callQuery is a parsed GET /calls query.
type callQuery struct {
	statuses, users, types, sources []string
	modifiedGt, modifiedLt          time.Time
	timeGt, timeLt                  time.Time
	sortProcessed, sortTime         string
	skip, limit                     int
	pagination                      bool
}

func parseCallQuery(q url.Values) (callQuery, string) {
	c := callQuery{
		statuses: q["filterStatus[]"], users: q["filterUser[]"],
		types: q["filterType[]"], sources: q["filterSourceId[]"],
		sortProcessed: q.Get("sortProcessed"), sortTime: q.Get("sortTime"),
		limit: 25, pagination: q.Get("includePagination") != "false",
	}
	var bad string
	parseInt := func(key string, dst *int, lo, hi int) {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				bad = key + " must be an integer from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
				return
			}
			*dst = n
		}
	}
	parseInt("skip", &c.skip, 0, copilot.MaxSkip)
	parseInt("limit", &c.limit, 1, copilot.MaxLimit)
	parseTime := func(key string, dst *time.Time) {
		if v := q.Get(key); v != "" {
			t, err := copilot.ParseTime(v)
			if err != nil {
				bad = key + " must be an ISO date-time"
				return
			}
			*dst = t
		}
	}
	parseTime("filterModifiedGt", &c.modifiedGt)
	parseTime("filterModifiedLt", &c.modifiedLt)
	parseTime("filterTimeGt", &c.timeGt)
	parseTime("filterTimeLt", &c.timeLt)
	return c, bad
}

func (c *callQuery) match(call *copilot.Call) bool {
	if len(c.statuses) > 0 && !slices.Contains(c.statuses, call.Status) {
		return false
	}
	if len(c.types) > 0 && !slices.Contains(c.types, call.Type) {
		return false
	}
	if len(c.sources) > 0 && !slices.Contains(c.sources, string(call.SourceID)) {
		return false
	}
	if len(c.users) > 0 && !slices.ContainsFunc(call.Users, func(u copilot.CallUser) bool {
		return slices.Contains(c.users, u.UserEmail)
	}) {
		return false
	}
	return inRange(call.LastModifiedTime, c.modifiedGt, c.modifiedLt) && inRange(call.Time, c.timeGt, c.timeLt)
}

// inRange reports whether the timestamp v is strictly inside (gt, lt); a
// zero bound is open.
func inRange(v string, gt, lt time.Time) bool {
	if gt.IsZero() && lt.IsZero() {
		return true
	}
	t, err := copilot.ParseTime(v)
	if err != nil {
		return false
	}
	return (gt.IsZero() || t.After(gt)) && (lt.IsZero() || t.Before(lt))
}

func (s *Server) handleCalls(w http.ResponseWriter, r *http.Request) {
	q, bad := parseCallQuery(r.URL.Query())
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	s.mu.Lock()
	var matched []copilot.Call
	for _, c := range s.calls {
		if q.match(&c.Call) {
			matched = append(matched, c.Call)
		}
	}
	s.mu.Unlock()
	sortCalls(matched, q.sortProcessed, func(c copilot.Call) string { return c.LastModifiedTime })
	sortCalls(matched, q.sortTime, func(c copilot.Call) string { return c.Time })

	start := min(q.skip, len(matched))
	end := min(start+q.limit, len(matched))
	body := map[string]any{"calls": append([]copilot.Call{}, matched[start:end]...)}
	if q.pagination {
		body["pagination"] = copilot.Pagination{Matched: len(matched), HasMore: end < len(matched), NextPageSkip: end}
	}
	writeJSON(w, http.StatusOK, body)
}

// sortCalls sorts by the timestamp that key returns, then by id, in order
// "asc" or "desc"; any other order leaves calls as they are.
func sortCalls(calls []copilot.Call, order string, key func(copilot.Call) string) {
	if order != "asc" && order != "desc" {
		return
	}
	slices.SortStableFunc(calls, func(a, b copilot.Call) int {
		ta, _ := copilot.ParseTime(key(a))
		tb, _ := copilot.ParseTime(key(b))
		c := cmp.Or(ta.Compare(tb), cmp.Compare(a.ID, b.ID))
		if order == "desc" {
			return -c
		}
		return c
	})
}
