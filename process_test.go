//go:build unix

package clariwatch_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// Environment of a child process that runs one tick; see TestMain.
const (
	childEnv      = "CLARIWATCH_TEST_CHILD"
	childStore    = "CLARIWATCH_TEST_STORE"
	childClariURL = "CLARIWATCH_TEST_CLARI_URL"
	childClariKey = "CLARIWATCH_TEST_CLARI_KEY"
	childSlackURL = "CLARIWATCH_TEST_SLACK_URL"
	childBlockAt  = "CLARIWATCH_TEST_BLOCK_AT"
	childBarrier  = "CLARIWATCH_TEST_BARRIER"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "" {
		os.Exit(m.Run())
	}
	if err := runChild(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// block announces the hook point on stdout and waits to be killed.
func block(at string) {
	if os.Getenv(childBlockAt) != at {
		return
	}
	fmt.Printf("BLOCKED %s\n", at)
	select {}
}

// runChild runs one tick with hooks that block at CLARIWATCH_TEST_BLOCK_AT
// and, with CLARIWATCH_TEST_BARRIER, wait until every process fetched.
func runChild() error {
	ctx := context.Background()
	store, err := snapshot.OpenFileStore(ctx, os.Getenv(childStore), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	mon, err := clariwatch.NewMonitor(clariwatch.Config{
		Source:     &hookSource{inner: childSource()},
		Store:      &hookStore{FileStore: store},
		Notifier:   &hookNotifier{inner: childSlack()},
		ForecastID: "net_bookings",
	})
	if err != nil {
		return err
	}
	_, err = mon.Tick(ctx)
	return err
}

func childSource() clariwatch.Source {
	c, err := clari.NewClient(os.Getenv(childClariKey), clari.WithBaseURL(os.Getenv(childClariURL)),
		clari.WithPollInterval(time.Millisecond, time.Millisecond), clari.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		panic(err)
	}
	return &clariwatch.ClariSource{Client: c, ForecastID: "net_bookings"}
}

func childSlack() notify.Notifier {
	s, err := notify.NewSlack(os.Getenv(childSlackURL), &notify.SlackOptions{RetryOptions: notify.RetryOptions{RetryMax: -1}})
	if err != nil {
		panic(err)
	}
	return s
}

type hookSource struct{ inner clariwatch.Source }

func (s *hookSource) Fetch(ctx context.Context, req clariwatch.FetchRequest) (*clariwatch.Fetched, error) {
	if req.OnJobStarted != nil {
		started := req.OnJobStarted
		req.OnJobStarted = func(id string) error {
			err := started(id)
			block("job-started")
			return err
		}
	}
	f, err := s.inner.Fetch(ctx, req)
	if dir := os.Getenv(childBarrier); dir != "" && err == nil {
		waitBarrier(dir)
	}
	return f, err
}

// waitBarrier marks this process as fetched and polls until two have.
func waitBarrier(dir string) {
	os.WriteFile(filepath.Join(dir, fmt.Sprint(os.Getpid())), nil, 0o600)
	for {
		entries, _ := os.ReadDir(dir)
		if len(entries) >= 2 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type hookStore struct{ *snapshot.FileStore }

func (s *hookStore) Put(ctx context.Context, m snapshot.Meta, r io.Reader) (snapshot.Meta, error) {
	meta, err := s.FileStore.Put(ctx, m, r)
	block("stored")
	return meta, err
}

func (s *hookStore) Advance(ctx context.Context, k snapshot.Key, expected, id string) error {
	err := s.FileStore.Advance(ctx, k, expected, id)
	block("advanced")
	return err
}

type hookNotifier struct{ inner notify.Notifier }

func (n *hookNotifier) Notify(ctx context.Context, m *notify.Message) error {
	block("before-notify")
	err := n.inner.Notify(ctx, m)
	block("notified")
	return err
}

// startChild starts the test binary as a child that runs one tick.
func startChild(t *testing.T, e *e2e, blockAt, barrier string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childStore+"="+e.dir,
		childClariURL+"="+e.clari.URL, childClariKey+"="+e.clari.APIKey,
		childSlackURL+"="+e.slack.WebhookURL(), childBlockAt+"="+blockAt, childBarrier+"="+barrier)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewReader(out)
}

func TestProcessKilledMidTick(t *testing.T) {
	for _, at := range []string{"job-started", "stored", "before-notify", "notified", "advanced"} {
		t.Run(at, func(t *testing.T) {
			e := newE2E(t, claritest.WithExports(readExport(t, 1), readExport(t, 2)))
			base, err := e.mon.Tick(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			cmd, out := startChild(t, e, at, "")
			line, err := out.ReadString('\n')
			if err != nil || strings.TrimSpace(line) != "BLOCKED "+at {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child output %q, %v; want BLOCKED %s", line, err, at)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			res, err := e.mon.Tick(t.Context())
			if err != nil {
				t.Fatalf("tick after the kill: %v", err)
			}
			h, err := e.store.Head(t.Context(), e2eStream)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.store.Get(t.Context(), h.ID); err != nil {
				t.Fatalf("head %s is not a valid snapshot: %v", h.ID, err)
			}
			if h.ID == base.SnapshotID {
				t.Errorf("head is still the baseline after the rerun")
			}
			if n := len(e.slack.Messages()); n < 1 {
				t.Errorf("alerts sent = %d, want at least 1 (never lost)", n)
			}
			if at == "job-started" && e.clari.Count(claritest.StartExport) != 2 {
				t.Errorf("exports started = %d, want 2: the rerun resumes the pending job", e.clari.Count(claritest.StartExport))
			}
			if at == "advanced" && !res.Unchanged {
				t.Errorf("rerun after the head moved: unchanged=%v, want true", res.Unchanged)
			}
		})
	}
}

func TestProcessesTickAtOnce(t *testing.T) {
	e := newE2E(t, claritest.WithExports(readExport(t, 1), readExport(t, 2)))
	if _, err := e.mon.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	barrier := t.TempDir()
	var cmds []*exec.Cmd
	for range 2 {
		cmd, _ := startChild(t, e, "", barrier)
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	if n := len(e.slack.Messages()); n != 1 {
		t.Errorf("slack messages from two processes = %d, want 1", n)
	}
	list, err := e.store.List(t.Context(), e2eStream)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("snapshots = %d, want 3 (baseline and one per process)", len(list))
	}
}
