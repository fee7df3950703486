package copilot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Limits of GET /calls.
const (
	MaxSkip      = 10000 // largest skip that Copilot accepts
	MaxLimit     = 100   // largest page size
	DefaultLimit = 25    // page size when Limit is 0
)

// SortOrder is the order of a sorted call list: [SortAsc] or [SortDesc].
type SortOrder string

// Sort orders of GET /calls.
const (
	SortAsc  SortOrder = "asc"
	SortDesc SortOrder = "desc"
)

// ListCallsOptions are the filters, order and page of [Client.ListCalls].
// Zero fields are not sent. Times are sent in UTC as RFC 3339 with
// milliseconds; durations as whole seconds.
type ListCallsOptions struct {
	Users     []string // filterUser[]: emails of workspace users
	Attendees []string // filterAttendees[]: emails of attendees
	Topics    []string // filterTopics[]
	Statuses  []string // filterStatus[], such as StatusProcessed
	Types     []string // filterType[], such as ZOOM or MS_TEAMS
	SourceIDs []string // filterSourceId[]

	TimeGt, TimeLt         time.Time     // scheduled or start time
	ModifiedGt, ModifiedLt time.Time     // time the status last changed
	DurationGt, DurationLt time.Duration // call duration

	SortTime      SortOrder // order by call time
	SortProcessed SortOrder // order by processing time

	IncludePrivate bool // includePrivate=true: list private calls too

	// OmitPagination sends includePagination=false, which Copilot documents
	// as much faster. CallPage.Pagination is then zero, and [Client.AllCalls]
	// treats a full page as a sign that more calls follow.
	OmitPagination bool

	Skip  int // 0 to MaxSkip
	Limit int // 1 to MaxLimit; 0 sends none, so Copilot returns DefaultLimit
}

// CallPage is one page of [Client.ListCalls].
type CallPage struct {
	Calls      []Call     `json:"calls"`
	Pagination Pagination `json:"pagination"`
}

// Pagination describes where a page sits among the matching calls.
type Pagination struct {
	Matched      int  `json:"matched"`
	HasMore      bool `json:"hasMore"`
	NextPageSkip int  `json:"nextPageSkip"`
}

// validate checks the page bounds before anything is sent.
func (o *ListCallsOptions) validate() error {
	if o.Skip < 0 || o.Skip > MaxSkip {
		return fmt.Errorf("copilot: skip %d: must be between 0 and %d; narrow the filters (ModifiedGt) to reach later calls", o.Skip, MaxSkip)
	}
	if o.Limit < 0 || o.Limit > MaxLimit {
		return fmt.Errorf("copilot: limit %d: must be between 1 and %d, or 0 for Copilot's default", o.Limit, MaxLimit)
	}
	if o.DurationGt < 0 || o.DurationLt < 0 {
		return fmt.Errorf("copilot: negative duration filter (gt %v, lt %v)", o.DurationGt, o.DurationLt)
	}
	for _, s := range []SortOrder{o.SortTime, o.SortProcessed} {
		if s != "" && s != SortAsc && s != SortDesc {
			return fmt.Errorf("copilot: sort order %q: use SortAsc or SortDesc", s)
		}
	}
	return nil
}

// timeLayout is RFC 3339 in UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func (o *ListCallsOptions) query() url.Values {
	q := url.Values{}
	lists := []struct {
		key    string
		values []string
	}{
		{"filterUser[]", o.Users}, {"filterAttendees[]", o.Attendees},
		{"filterTopics[]", o.Topics}, {"filterStatus[]", o.Statuses},
		{"filterType[]", o.Types}, {"filterSourceId[]", o.SourceIDs},
	}
	for _, l := range lists {
		for _, v := range l.values {
			q.Add(l.key, v)
		}
	}
	setTime := func(key string, t time.Time) {
		if !t.IsZero() {
			q.Set(key, t.UTC().Format(timeLayout))
		}
	}
	setTime("filterTimeGt", o.TimeGt)
	setTime("filterTimeLt", o.TimeLt)
	setTime("filterModifiedGt", o.ModifiedGt)
	setTime("filterModifiedLt", o.ModifiedLt)
	if o.DurationGt > 0 {
		q.Set("filterDurationGt", strconv.FormatInt(int64(o.DurationGt/time.Second), 10))
	}
	if o.DurationLt > 0 {
		q.Set("filterDurationLt", strconv.FormatInt(int64(o.DurationLt/time.Second), 10))
	}
	if o.SortTime != "" {
		q.Set("sortTime", string(o.SortTime))
	}
	if o.SortProcessed != "" {
		q.Set("sortProcessed", string(o.SortProcessed))
	}
	if o.IncludePrivate {
		q.Set("includePrivate", "true")
	}
	if o.OmitPagination {
		q.Set("includePagination", "false")
	}
	q.Set("skip", strconv.Itoa(o.Skip))
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	return q
}

// ListCalls returns one page of calls (GET /calls). A nil opts lists the
// first page with Copilot's defaults. Skip and Limit are checked before
// anything is sent; [Client.AllCalls] pages through for you.
func (c *Client) ListCalls(ctx context.Context, opts *ListCallsOptions) (*CallPage, error) {
	if opts == nil {
		opts = &ListCallsOptions{}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	var page CallPage
	if err := c.req.do(ctx, http.MethodGet, "/calls", opts.query(), nil, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// CallDetails returns a call with its transcript and summary
// (GET /call-details). An unknown id returns an error matching
// [ErrNotFound].
func (c *Client) CallDetails(ctx context.Context, id string) (*CallDetails, error) {
	if id == "" {
		return nil, fmt.Errorf("copilot: CallDetails: empty call id")
	}
	var body struct {
		Call *CallDetails `json:"call"`
	}
	if err := c.req.do(ctx, http.MethodGet, "/call-details", url.Values{"id": {id}}, nil, &body); err != nil {
		return nil, err
	}
	if body.Call == nil {
		return nil, fmt.Errorf("copilot: GET /call-details: response has no \"call\" object")
	}
	return body.Call, nil
}

// Users returns the users of the workspace (GET /users).
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var body struct {
		Users []User `json:"users"`
	}
	if err := c.req.do(ctx, http.MethodGet, "/users", nil, nil, &body); err != nil {
		return nil, err
	}
	return body.Users, nil
}
