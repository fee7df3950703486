package copilot_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/clariwatch/clariwatch/copilot/copilottest"
	"github.com/google/go-cmp/cmp"
)

// eventLog records the events a handler received, as "type call-id".
type eventLog struct {
	mu     sync.Mutex
	events []string
	ids    map[string]int
	fail   func(copilot.Event) error
}

func (l *eventLog) HandleEvent(_ context.Context, e copilot.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		if err := l.fail(e); err != nil {
			return err
		}
	}
	var id string
	switch ev := e.(type) {
	case *copilot.CallCompleted:
		id = string(ev.Call.ID)
	case *copilot.CallAnalyzed:
		id = string(ev.Call.ID)
	}
	l.events = append(l.events, e.Type()+" "+id)
	if l.ids == nil {
		l.ids = map[string]int{}
	}
	l.ids[e.ID()]++
	return nil
}

func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	got := l.events
	l.events = nil
	return got
}

func newPoller(t *testing.T, c *copilot.Client, h copilot.Handler, cp copilot.Checkpoint) *copilot.Poller {
	t.Helper()
	p, err := copilot.NewPoller(c, h, cp, &copilot.PollerOptions{Start: emulatorStart, Overlap: time.Minute})
	if err != nil {
		t.Fatalf("NewPoller: %v", err)
	}
	return p
}

func poll(t *testing.T, p *copilot.Poller, log *eventLog) []string {
	t.Helper()
	if err := p.Poll(t.Context()); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return log.take()
}

func TestPollerEmitsStatusMoves(t *testing.T) {
	srv, c, clock := setupEmulator(t)
	log := &eventLog{}
	p := newPoller(t, c, log, &copilot.MemoryCheckpoint{})

	clock.Advance(time.Second)
	srv.AddCall(copilot.Call{ID: "a", Status: "SCHEDULED"})
	srv.AddCall(copilot.Call{ID: "b", Status: "PROCESSING"})
	if got := poll(t, p, log); len(got) != 0 {
		t.Errorf("pending calls emitted %v", got)
	}

	steps := []struct {
		name string
		move func()
		want []string
	}{
		{"a processed", func() { srv.SetStatus("a", copilot.StatusProcessed) }, []string{"call.completed a"}},
		{"nothing moved", func() {}, nil},
		{"a analyzed", func() { srv.SetStatus("a", copilot.StatusPostProcessingDone) },
			[]string{"call.analyzed a"}},
		{"b straight to analyzed", func() { srv.SetStatus("b", copilot.StatusPostProcessingDone) },
			[]string{"call.completed b", "call.analyzed b"}},
		{"failed call", func() { srv.AddCall(copilot.Call{ID: "c", Status: "ERROR_IN_PROCESSING"}) }, nil},
	}
	for _, s := range steps {
		clock.Advance(10 * time.Second)
		s.move()
		if diff := cmp.Diff(s.want, poll(t, p, log)); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", s.name, diff)
		}
	}
}

func TestPollerRestartFromFileCheckpoint(t *testing.T) {
	srv, c, clock := setupEmulator(t)
	path := filepath.Join(t.TempDir(), "copilot.checkpoint")
	log := &eventLog{}

	clock.Advance(time.Second)
	srv.AddCall(copilot.Call{ID: "a", Status: copilot.StatusProcessed})
	srv.AddCall(copilot.Call{ID: "b", Status: copilot.StatusPostProcessingDone})
	first := newPoller(t, c, log, copilot.NewFileCheckpoint(path))
	want := []string{"call.completed a", "call.completed b", "call.analyzed b"}
	if diff := cmp.Diff(want, poll(t, first, log)); diff != "" {
		t.Errorf("first poller (-want +got):\n%s", diff)
	}

	// A new poller on the same file emits nothing again, then only the move.
	second := newPoller(t, c, log, copilot.NewFileCheckpoint(path))
	if got := poll(t, second, log); len(got) != 0 {
		t.Errorf("restarted poller emitted %v again", got)
	}
	clock.Advance(5 * time.Second)
	srv.SetStatus("a", copilot.StatusPostProcessingDone)
	third := newPoller(t, c, log, copilot.NewFileCheckpoint(path))
	if diff := cmp.Diff([]string{"call.analyzed a"}, poll(t, third, log)); diff != "" {
		t.Errorf("after restart (-want +got):\n%s", diff)
	}

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("checkpoint mode = %v, want 0600", mode)
	}
	for id, n := range log.ids {
		if n != 1 {
			t.Errorf("delivery %s handled %d times", id, n)
		}
	}
}

func TestPollerHandlerErrorKeepsEvent(t *testing.T) {
	srv, c, clock := setupEmulator(t)
	failing := errors.New("downstream is down")
	log := &eventLog{fail: func(e copilot.Event) error {
		if e.Type() == copilot.EventCallAnalyzed {
			return failing
		}
		return nil
	}}
	cp := &copilot.MemoryCheckpoint{}
	clock.Advance(time.Second)
	srv.AddCall(copilot.Call{ID: "a", Status: copilot.StatusPostProcessingDone})

	p := newPoller(t, c, log, cp)
	if err := p.Poll(t.Context()); !errors.Is(err, failing) {
		t.Fatalf("Poll error = %v, want the handler's error", err)
	}
	if diff := cmp.Diff([]string{"call.completed a"}, log.take()); diff != "" {
		t.Errorf("before the failure (-want +got):\n%s", diff)
	}

	log.fail = nil
	restarted := newPoller(t, c, log, cp)
	if diff := cmp.Diff([]string{"call.analyzed a"}, poll(t, restarted, log)); diff != "" {
		t.Errorf("after the handler recovered (-want +got):\n%s", diff)
	}
}

func TestPollerManyCallsOnce(t *testing.T) {
	srv, c, clock := setupEmulator(t)
	log := &eventLog{}
	p := newPoller(t, c, log, &copilot.MemoryCheckpoint{})
	clock.Advance(time.Second)
	for i := range 230 {
		if i%70 == 0 {
			clock.Advance(time.Second)
		}
		srv.AddCall(copilot.Call{ID: copilot.ID(fmt.Sprintf("c%03d", i)), Status: copilot.StatusProcessed})
	}
	if got := poll(t, p, log); len(got) != 230 {
		t.Errorf("got %d events, want 230", len(got))
	}
	if got := poll(t, p, log); len(got) != 0 {
		t.Errorf("second pass emitted %d events, want 0", len(got))
	}
	for id, n := range log.ids {
		if n != 1 {
			t.Errorf("delivery %s handled %d times", id, n)
		}
	}
}

func TestPollerDeliveryIDsAreStable(t *testing.T) {
	srv, c, clock := setupEmulator(t)
	clock.Advance(time.Second)
	srv.AddCall(copilot.Call{ID: "a", Status: copilot.StatusPostProcessingDone})
	ids := func() []string {
		var got []string
		h := copilot.HandlerFunc(func(_ context.Context, e copilot.Event) error {
			got = append(got, e.ID())
			return nil
		})
		p := newPoller(t, c, h, &copilot.MemoryCheckpoint{})
		if err := p.Poll(t.Context()); err != nil {
			t.Fatal(err)
		}
		return got
	}
	first, second := ids(), ids()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("ids differ between pollers (-first +second):\n%s", diff)
	}
	if len(first) != 2 || first[0] == first[1] {
		t.Errorf("ids = %v, want two distinct ids", first)
	}
}

func TestFileCheckpointRejectsCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := copilot.NewFileCheckpoint(path).Load(t.Context()); err == nil {
		t.Error("Load of a corrupt file returned no error")
	}
	empty, err := copilot.NewFileCheckpoint(filepath.Join(t.TempDir(), "missing.json")).Load(t.Context())
	if err != nil || !empty.Watermark.IsZero() {
		t.Errorf("Load of a missing file = %+v, %v; want zero state", empty, err)
	}
}

func TestPollerSurvivesFutureTimestamp(t *testing.T) {
	// The poller caps its watermark at its own clock, so this emulator
	// runs on the same clock instead of emulatorClock.
	srv := copilottest.NewServer(nil)
	t.Cleanup(srv.Close)
	c, err := copilot.NewClient(copilottest.DefaultAPIKey, copilottest.DefaultAPIPassword,
		copilot.WithBaseURL(srv.URL), copilot.WithRetry(fastRetry), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	log := &eventLog{}
	p, err := copilot.NewPoller(c, log, &copilot.MemoryCheckpoint{},
		&copilot.PollerOptions{Start: time.Now().Add(-time.Minute), Overlap: time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	srv.AddCall(copilot.Call{ID: "future", Status: copilot.StatusProcessed, LastModifiedTime: "2999-01-01T00:00:00.000Z"})
	if diff := cmp.Diff([]string{"call.completed future"}, poll(t, p, log)); diff != "" {
		t.Errorf("first pass events (-want +got):\n%s", diff)
	}

	srv.AddCall(copilot.Call{ID: "a", Status: copilot.StatusProcessed})
	if diff := cmp.Diff([]string{"call.completed a"}, poll(t, p, log)); diff != "" {
		t.Errorf("second pass events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string(nil), poll(t, p, log)); diff != "" {
		t.Errorf("third pass events (-want +got):\n%s", diff)
	}
}
