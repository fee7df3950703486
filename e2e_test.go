package clariwatch_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/notify/slacktest"
	"github.com/clariwatch/clariwatch/snapshot"
)

var e2eStream = snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}

// e2e is a monitor wired to the Clari emulator, a Slack receiver and a
// file store, as the program wires them.
type e2e struct {
	clari *claritest.Server
	slack *slacktest.Server
	dir   string
	store *snapshot.FileStore
	mon   *clariwatch.Monitor
	logs  *bytes.Buffer
}

// newClariClient returns a client of srv with short polls and one attempt
// per request, so that faults surface at once.
func newClariClient(t testing.TB, url, apiKey string, log *slog.Logger) *clari.Client {
	t.Helper()
	c, err := clari.NewClient(apiKey, clari.WithBaseURL(url), clari.WithLogger(log),
		clari.WithPollInterval(time.Millisecond, time.Millisecond), clari.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newSlackNotifier(t testing.TB, url string, log *slog.Logger) notify.Notifier {
	t.Helper()
	s, err := notify.NewSlack(url, &notify.SlackOptions{Logger: log, RetryOptions: notify.RetryOptions{RetryMax: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newE2E(t *testing.T, opts ...claritest.Option) *e2e {
	t.Helper()
	e := &e2e{logs: &bytes.Buffer{}, dir: t.TempDir()}
	e.clari = claritest.NewServer(t, opts...)
	e.slack = slacktest.NewServer(nil)
	t.Cleanup(e.slack.Close)
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store, err := snapshot.OpenFileStore(t.Context(), e.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.store = store
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:     &clariwatch.ClariSource{Client: newClariClient(t, e.clari.URL, e.clari.APIKey, log), ForecastID: "net_bookings"},
		Store:      store,
		Notifier:   newSlackNotifier(t, e.slack.WebhookURL(), log),
		ForecastID: "net_bookings",
		Logger:     log,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.mon = mon
	return e
}

func (e *e2e) head(t *testing.T) string {
	t.Helper()
	h, err := e.store.Head(t.Context(), e2eStream)
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	return h.ID
}

// checkNoSecrets fails when the logs or err contain the API key or the
// webhook path.
func (e *e2e) checkNoSecrets(t *testing.T, err error) {
	t.Helper()
	secrets := []string{e.clari.APIKey, slacktest.WebhookPath}
	for _, s := range secrets {
		if strings.Contains(e.logs.String(), s) {
			t.Errorf("logs contain a secret %q", s)
		}
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains a secret", err)
		}
	}
}

func TestE2EBaselineThenAlerts(t *testing.T) {
	e := newE2E(t, claritest.WithExports(readExport(t, 1), readExport(t, 2), readExport(t, 3)))
	res, err := e.mon.Tick(t.Context())
	if err != nil {
		t.Fatalf("tick 1: %v", err)
	}
	if !res.Baseline || res.JobID == "" {
		t.Errorf("tick 1: baseline=%v job=%q, want a baseline with a job id", res.Baseline, res.JobID)
	}
	if n := len(e.slack.Messages()); n != 0 {
		t.Errorf("messages after the baseline = %d, want 0", n)
	}
	for i, want := range []int{6, 11} {
		res, err = e.mon.Tick(t.Context())
		if err != nil {
			t.Fatalf("tick %d: %v", i+2, err)
		}
		if len(res.Report.Changes) != want || !res.Notified {
			t.Errorf("tick %d: changes=%d notified=%v, want %d true", i+2, len(res.Report.Changes), res.Notified, want)
		}
	}
	msgs := e.slack.Messages()
	if len(msgs) != 2 {
		t.Fatalf("slack messages = %d, want 2", len(msgs))
	}
	if !strings.Contains(string(mustJSON(t, msgs[0])), "marcus.bell@example.com") {
		t.Errorf("first alert does not list marcus.bell@example.com")
	}
	if got := e.head(t); got != res.SnapshotID {
		t.Errorf("head = %q, want %q", got, res.SnapshotID)
	}
	pending, err := e.store.Pending(t.Context(), snapshot.Key{ForecastID: "net_bookings"})
	if err != nil || pending != "" {
		t.Errorf("pending job = %q, %v; want none", pending, err)
	}
	e.checkNoSecrets(t, nil)
}

func TestE2ESlackFailureResends(t *testing.T) {
	e := newE2E(t, claritest.WithExports(readExport(t, 1), readExport(t, 2)))
	base, err := e.mon.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e.slack.Script(slacktest.RollupError)
	res, err := e.mon.Tick(t.Context())
	if err == nil {
		t.Fatal("tick with Slack answering 500 returned nil error")
	}
	e.checkNoSecrets(t, err)
	if got := e.head(t); got != base.SnapshotID {
		t.Errorf("head after the failed alert = %q, want the baseline %q", got, base.SnapshotID)
	}
	if res == nil || res.SnapshotID == "" {
		t.Errorf("failed tick stored no snapshot: %+v", res)
	}

	res, err = e.mon.Tick(t.Context())
	if err != nil {
		t.Fatalf("next tick: %v", err)
	}
	if res.HeadID != base.SnapshotID || len(res.Report.Changes) != 6 || !res.Notified {
		t.Errorf("next tick: head=%q changes=%d notified=%v, want %q 6 true",
			res.HeadID, len(res.Report.Changes), res.Notified, base.SnapshotID)
	}
	if n := len(e.slack.Messages()); n != 1 {
		t.Errorf("accepted slack messages = %d, want 1", n)
	}
	if got := e.head(t); got != res.SnapshotID {
		t.Errorf("head = %q, want %q", got, res.SnapshotID)
	}
}

func TestE2EFailedJobLeavesStore(t *testing.T) {
	e := newE2E(t, claritest.WithJobs(
		claritest.ExportJob{Body: readExport(t, 1)},
		claritest.ExportJob{Body: readExport(t, 2), FinalStatus: clari.StatusFailed},
	))
	base, err := e.mon.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.mon.Tick(t.Context())
	if !errors.Is(err, clari.ErrJobFailed) {
		t.Fatalf("tick on a FAILED job = %v, want ErrJobFailed", err)
	}
	if res != nil {
		t.Errorf("result of a failed fetch = %+v, want nil", res)
	}
	e.checkNoSecrets(t, err)
	list, err := e.store.List(t.Context(), e2eStream)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != base.SnapshotID {
		t.Errorf("snapshots after the failed job = %v, want only the baseline", list)
	}
	if got := e.head(t); got != base.SnapshotID {
		t.Errorf("head = %q, want the baseline %q", got, base.SnapshotID)
	}
	pending, err := e.store.Pending(t.Context(), snapshot.Key{ForecastID: "net_bookings"})
	if err != nil || pending != "" {
		t.Errorf("pending job after FAILED = %q, %v; want none", pending, err)
	}
}

func TestE2EPartialExportGuard(t *testing.T) {
	e := newE2E(t, claritest.WithExports(readExport(t, 1), []byte(`{"entries":[],"timePeriods":[{"timePeriodId":"2026_Q4"}]}`)))
	base, err := e.mon.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.mon.Tick(t.Context())
	if !errors.Is(err, clariwatch.ErrSuspiciousExport) {
		t.Fatalf("tick on an empty export = %v, want ErrSuspiciousExport", err)
	}
	if got := e.head(t); got != base.SnapshotID {
		t.Errorf("head = %q, want the baseline %q", got, base.SnapshotID)
	}
	if n := len(e.slack.Requests()); n != 0 {
		t.Errorf("slack requests = %d, want 0", n)
	}
}

func TestE2ECancelledTickResumesJob(t *testing.T) {
	e := newE2E(t, claritest.WithExports(readExport(t, 1)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.mon.Tick(ctx); err == nil {
		t.Fatal("tick with a cancelled context returned nil error")
	}
	if _, err := e.mon.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := e.clari.Count(claritest.StartExport); n != 1 {
		t.Errorf("exports started = %d, want 1", n)
	}
}

// logLine returns the first log line whose message is msg, or "".
func logLine(logs, msg string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, "msg="+msg+" ") || strings.Contains(line, `msg="`+msg+`" `) {
			return line
		}
	}
	return ""
}

func TestE2ELogsEachStep(t *testing.T) {
	e := newE2E(t, claritest.WithExports(readExport(t, 1), readExport(t, 2)))
	if _, err := e.mon.Tick(t.Context()); err != nil {
		t.Fatalf("tick 1: %v", err)
	}
	e.logs.Reset()
	res, err := e.mon.Tick(t.Context())
	if err != nil {
		t.Fatalf("tick 2: %v", err)
	}

	logs := e.logs.String()
	stream := "stream=" + e2eStream.String()
	job := "job_id=" + res.JobID
	head, snap := res.HeadID, res.SnapshotID
	tests := []struct {
		msg  string
		want []string
	}{
		{"export job started", []string{job}},
		{"snapshot stored", []string{stream, job, "snapshot_id=" + snap, "parent_id=" + head}},
		{"compared", []string{stream, job, "head_id=" + head, "snapshot_id=" + snap}},
		{"notified", []string{stream, job, "head_id=" + head, "snapshot_id=" + snap}},
		{"head advanced", []string{stream, job, "from=" + head, "to=" + snap}},
	}
	for _, tt := range tests {
		line := logLine(logs, tt.msg)
		if line == "" {
			t.Errorf("no %q record in the logs:\n%s", tt.msg, logs)
			continue
		}
		for _, want := range tt.want {
			if !strings.Contains(line, want) {
				t.Errorf("%q record lacks %s: %s", tt.msg, want, line)
			}
		}
	}
	e.checkNoSecrets(t, nil)
}
