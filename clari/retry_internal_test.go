package clari

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"99999999999999999", time.Duration(1 << 62), true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %v, %t; want %v, %t", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRetryWait(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tooMany := func(h string) *http.Response {
		r := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{}}
		if h != "" {
			r.Header.Set("Retry-After", h)
		}
		return r
	}
	unavailable := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}}
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		random  float64
		want    time.Duration
	}{
		{"429 seconds", 0, tooMany("5"), 0.9, 5 * time.Second},
		{"429 date", 0, tooMany(now.Add(8 * time.Second).Format(http.TimeFormat)), 0, 8 * time.Second},
		{"429 missing", 0, tooMany(""), 0, DefaultRetryAfter},
		{"429 invalid", 0, tooMany("later"), 0, DefaultRetryAfter},
		{"429 capped", 0, tooMany("86400"), 0, time.Minute},
		{"first retry low jitter", 0, unavailable, 0, time.Second},
		{"first retry high jitter", 0, unavailable, 0.999999, 2*time.Second - time.Microsecond*2},
		{"third retry", 2, nil, 0, 4 * time.Second},
		{"capped", 40, nil, 0, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := retryWait(2*time.Second, time.Minute, tt.attempt, tt.resp, tt.random, now)
			if d := got - tt.want; d < -time.Microsecond*2 || d > time.Microsecond*2 {
				t.Errorf("retryWait = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzDecodeJob(f *testing.F) {
	for _, s := range []string{
		`{"jobId":"a","status":"DONE"}`, `{"job":{"jobId":1,"status":"STARTED","startTime":"12"}}`,
		`{"status":null}`, `[]`, `{"job":[1]}`, `{"jobId":{"x":1},"status":"X","version":1.5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		job, err := decodeJob(data)
		if err == nil && job.Status == "" {
			t.Errorf("decodeJob(%q) returned a job without status", data)
		}
	})
}

func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"code":"no_optin","namespace":"fcw","errorId":"x","message":"m"}`, `{"error":"e"}`,
		`{"errors":[{"code":"c","message":"m"}]}`, `<html>`, ``, `{"message":123}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const key = "fuzz-key"
		var e APIError
		parseErrorBody(&e, data, key)
		if len(e.Message) > 520 {
			t.Errorf("message is %d bytes, want at most 515", len(e.Message))
		}
		for _, f := range []string{e.Code, e.Namespace, e.ErrorID, e.Message} {
			if strings.Contains(f, key) {
				t.Errorf("field %q contains the key", f)
			}
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d, _ := parseRetryAfter(v, time.Unix(0, 0)); d < 0 {
			t.Errorf("parseRetryAfter(%q) = %v, want no negative wait", v, d)
		}
	})
}
