package notify_test

import (
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/notify/slacktest"
)

// retryRecords returns the "notify: retrying" records of a JSON log.
func retryRecords(t *testing.T, log string) []map[string]any {
	t.Helper()
	var records []map[string]any
	for line := range strings.Lines(log) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if r["msg"] == "notify: retrying" {
			delete(r, "time")
			records = append(records, r)
		}
	}
	return records
}

func TestSlackRetryLogNamesStatusAndCode(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	srv.Script(slacktest.RollupError, slacktest.RateLimited(3), slacktest.OK)
	var logs logBuffer
	s := newSlack(t, srv.WebhookURL(), newFakeClock(true), &notify.SlackOptions{
		Logger: newJSONLogger(&logs), RetryOptions: notify.RetryOptions{RetryMax: 2},
	})
	if err := s.Notify(t.Context(), &notify.Message{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"level": "WARN", "msg": "notify: retrying", "notifier": "slack", "attempt": 1.0,
			"status": 500.0, "code": "rollup_error", "wait": 1e9},
		{"level": "WARN", "msg": "notify: retrying", "notifier": "slack", "attempt": 2.0,
			"status": 429.0, "code": "rate_limited", "wait": 3e9},
	}
	if d := cmp.Diff(want, retryRecords(t, logs.String())); d != "" {
		t.Errorf("retry log records (-want +got):\n%s", d)
	}
	assertNoWebhookPath(t, "log", logs.String())
}

func TestSlackRetryLogHTMLBody(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	srv.Script(slacktest.Answer{Status: 502, Body: "<html>Bad Gateway</html>"}, slacktest.OK)
	var logs logBuffer
	s := newSlack(t, srv.WebhookURL(), newFakeClock(true), &notify.SlackOptions{
		Logger: newJSONLogger(&logs), RetryOptions: notify.RetryOptions{RetryMax: 2},
	})
	if err := s.Notify(t.Context(), &notify.Message{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"level": "WARN", "msg": "notify: retrying", "notifier": "slack", "attempt": 1.0,
			"status": 502.0, "wait": 1e9},
	}
	if d := cmp.Diff(want, retryRecords(t, logs.String())); d != "" {
		t.Errorf("retry log records (-want +got):\n%s", d)
	}
}

func TestSlackRetryLogConnectionError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs logBuffer
	s := newSlack(t, "http://"+addr+slacktest.WebhookPath, newFakeClock(true), &notify.SlackOptions{
		Logger: newJSONLogger(&logs), RetryOptions: notify.RetryOptions{RetryMax: 1},
	})
	if err := s.Notify(t.Context(), &notify.Message{Text: "x"}); err == nil {
		t.Fatal("Notify to a closed port succeeded")
	}
	records := retryRecords(t, logs.String())
	if len(records) != 1 {
		t.Fatalf("got %d retry records, want 1:\n%s", len(records), logs.String())
	}
	msg, _ := records[0]["error"].(string)
	if !strings.Contains(msg, "connection refused") {
		t.Errorf("retry record error = %q, want the connection error", msg)
	}
	if _, ok := records[0]["status"]; ok {
		t.Errorf("retry record has a status without a response: %v", records[0])
	}
	assertNoWebhookPath(t, "log", logs.String())
}

func newJSONLogger(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
