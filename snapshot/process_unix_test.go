//go:build unix

package snapshot_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/snapshot"
)

// child is a running copy of the test binary in a child mode.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

// startChild starts the test binary in mode and waits for its "ready" line.
func startChild(t *testing.T, mode string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, childModeEnv+"="+mode)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}

	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	if line := <-c.lines; line != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child printed %q before ready; stderr: %s", line, stderr.String())
	}
	return c
}

// TestCrashRecovery kills a child that puts and advances in a loop at
// random moments and checks the store after each kill.
func TestCrashRecovery(t *testing.T) {
	kills := 200
	if testing.Short() {
		kills = 20
	}
	dir := t.TempDir()
	lastAdvanced := ""
	for i := range kills {
		c := startChild(t, "crash", childDirEnv+"="+dir)
		if i == 0 {
			// Let the first child complete one Advance, so that the
			// checks below always have a head to verify, however slow
			// the machine is compared with the random delays.
			if line, ok := <-c.lines; ok {
				lastAdvanced = line
			}
		}
		// The random delay chooses the moment of the kill; nothing waits on it.
		time.Sleep(time.Duration(rand.IntN(8000)) * time.Microsecond)
		if err := c.cmd.Process.Signal(os.Kill); err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		c.cmd.Wait()
		for line := range c.lines {
			lastAdvanced = line
		}
		checkAfterCrash(t, dir, lastAdvanced)
	}
	if lastAdvanced == "" {
		t.Fatal("no child advanced the head before it was killed")
	}
}

func checkAfterCrash(t *testing.T, dir, lastAdvanced string) {
	t.Helper()
	s, err := snapshot.OpenFileStore(t.Context(), dir, nil)
	if err != nil {
		t.Fatalf("OpenFileStore after kill: %v", err)
	}
	defer s.Close()
	head, err := s.Head(t.Context(), crashKey)
	if errors.Is(err, snapshot.ErrNotFound) && lastAdvanced == "" {
		return
	}
	if err != nil {
		t.Fatalf("Head after kill: %v", err)
	}
	if head.ID < lastAdvanced {
		t.Fatalf("head %q is older than the last completed Advance to %q", head.ID, lastAdvanced)
	}
	if _, _, err := s.Get(t.Context(), head.ID); err != nil {
		t.Fatalf("Get(head) after kill: %v", err)
	}

	list, err := s.List(t.Context(), crashKey)
	if err != nil {
		t.Fatalf("List after kill: %v", err)
	}
	for _, m := range list {
		if _, _, err := s.Get(t.Context(), m.ID); err != nil {
			t.Fatalf("Get(%q) of listed snapshot after kill: %v", m.ID, err)
		}
	}
	if head.ParentID != "" {
		if _, _, err := s.Get(t.Context(), head.ParentID); err != nil {
			t.Fatalf("Get of head's parent %q after kill: %v", head.ParentID, err)
		}
	}
}

// TestAdvanceRaceProcesses lets 8 goroutines and 4 processes advance the
// same head from the same expected id; exactly one may win.
func TestAdvanceRaceProcesses(t *testing.T) {
	const goroutines, processes, rounds = 8, 4, 5
	dir := t.TempDir()
	s := openStore(t, dir)
	expected := ""
	for round := range rounds {
		var cands []string
		for i := range goroutines + processes {
			m, err := s.Put(t.Context(), snapshot.Meta{Key: crashKey, ParentID: expected},
				strings.NewReader(fmt.Sprint(round, i)))
			if err != nil {
				t.Fatal(err)
			}
			cands = append(cands, m.ID)
		}
		var children []*child
		for i := range processes {
			children = append(children, startChild(t, "advance", childDirEnv+"="+dir,
				childExpectedEnv+"="+expected, childIDEnv+"="+cands[goroutines+i]))
		}
		results := raceAdvance(t, s, children, expected, cands[:goroutines])
		winners := 0
		for i, r := range results {
			switch r {
			case "won":
				winners++
				expected = cands[i]
			case "conflict":
			default:
				t.Errorf("round %d, racer %d: %s", round, i, r)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d winners, want exactly 1 (results %v)", round, winners, results)
		}
		if head, err := s.Head(t.Context(), crashKey); err != nil || head.ID != expected {
			t.Fatalf("round %d: head = %q, %v; want the winner %q", round, head.ID, err, expected)
		}
	}
}

// raceAdvance starts all racers at once and returns their results: the
// goroutines first, then the children.
func raceAdvance(t *testing.T, s snapshot.Store, children []*child, expected string, ids []string) []string {
	results := make([]string, len(ids)+len(children))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			<-start
			err := s.Advance(t.Context(), crashKey, expected, id)
			switch {
			case err == nil:
				results[i] = "won"
			case errors.Is(err, snapshot.ErrConflict):
				results[i] = "conflict"
			default:
				results[i] = "error: " + err.Error()
			}
		})
	}
	for _, c := range children {
		io.WriteString(c.stdin, "go\n")
	}
	close(start)
	wg.Wait()
	for i, c := range children {
		line, ok := <-c.lines
		if !ok {
			line = "child exited without a result"
		}
		results[len(ids)+i] = line
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	return results
}
