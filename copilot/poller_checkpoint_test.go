package copilot_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/copilot"
)

// failingCheckpoint is a Checkpoint whose Save always fails.
type failingCheckpoint struct{ copilot.MemoryCheckpoint }

var errStoreDown = errors.New("store down")

func (f *failingCheckpoint) Save(context.Context, copilot.PollState) error { return errStoreDown }

func TestPollerCheckpointErrorPrefixOnce(t *testing.T) {
	missingDir := filepath.Join(t.TempDir(), "missing", "cp.json")
	tests := []struct {
		name       string
		checkpoint copilot.Checkpoint
		wantPrefix string
	}{
		{"file checkpoint", copilot.NewFileCheckpoint(missingDir), "copilot: saving checkpoint: "},
		{"custom checkpoint", &failingCheckpoint{}, "copilot: saving poll checkpoint: store down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, _ := setupEmulator(t)
			p := newPoller(t, c, &eventLog{}, tt.checkpoint)
			err := p.Poll(t.Context())
			if err == nil {
				t.Fatal("Poll returned no error for a failing checkpoint")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.wantPrefix) {
				t.Errorf("error = %q, want the prefix %q", msg, tt.wantPrefix)
			}
			if n := strings.Count(msg, "copilot:"); n != 1 {
				t.Errorf("error = %q has %d copilot: prefixes, want 1", msg, n)
			}
		})
	}
}

func TestPollerRunStopsOnFileCheckpointError(t *testing.T) {
	_, c, _ := setupEmulator(t)
	cp := copilot.NewFileCheckpoint(filepath.Join(t.TempDir(), "missing", "cp.json"))
	p := newPoller(t, c, &eventLog{}, cp)
	err := p.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "saving checkpoint") {
		t.Errorf("Run error = %v, want the checkpoint error", err)
	}
}
