package copilot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// PollState is the state that a [Poller] keeps between passes: the
// watermark, the events emitted near it, and the calls still waiting for
// analysis.
type PollState struct {
	// Watermark is the latest last_modified_time of a call the poller has
	// fully handled, capped at the poller's clock. The next pass lists
	// calls modified after Watermark less the overlap.
	Watermark time.Time `json:"watermark"`

	// Recent maps the delivery id of each event emitted for a call modified
	// inside the overlap before Watermark to that modified time, so that
	// listing the overlap again emits nothing twice.
	Recent map[string]time.Time `json:"recent,omitempty"`

	// Pending lists, oldest first, the ids of calls that had call.completed
	// emitted and no call.analyzed yet. It is capped at
	// PollerOptions.MaxPending.
	Pending []string `json:"pending,omitempty"`
}

// Checkpoint stores a [PollState]. Load returns a zero PollState and no
// error when nothing was saved yet. Implementations must be safe for
// concurrent use.
type Checkpoint interface {
	Load(ctx context.Context) (PollState, error)
	Save(ctx context.Context, s PollState) error
}

// FileCheckpoint stores the poll state as JSON in one file. Save writes a
// temporary file in the same directory with mode 0600, syncs it and renames
// it over the file, so a crash leaves the old or the new state, never a
// mix. A FileCheckpoint is safe for concurrent use within one process; two
// processes must not share the file.
type FileCheckpoint struct {
	mu   sync.Mutex
	path string
}

var _ Checkpoint = (*FileCheckpoint)(nil)

// NewFileCheckpoint returns a checkpoint stored at path. The directory must
// exist; the file is created on the first Save.
func NewFileCheckpoint(path string) *FileCheckpoint {
	return &FileCheckpoint{path: path}
}

// Load reads the state. A missing file is a zero state; a file that is not
// valid JSON is an error, since starting over could emit events again.
func (f *FileCheckpoint) Load(ctx context.Context) (PollState, error) {
	if err := ctx.Err(); err != nil {
		return PollState{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return PollState{}, nil
	}
	if err != nil {
		return PollState{}, &checkpointError{fmt.Errorf("copilot: reading checkpoint: %w", err)}
	}
	var s PollState
	if err := json.Unmarshal(b, &s); err != nil {
		return PollState{}, &checkpointError{fmt.Errorf("copilot: checkpoint %s is not valid JSON (fix or remove it to start over): %w", f.path, err)}
	}
	return s, nil
}

// Save replaces the stored state atomically.
func (f *FileCheckpoint) Save(ctx context.Context, s PollState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return &checkpointError{fmt.Errorf("copilot: encoding checkpoint: %w", err)}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := writeFileAtomic(f.path, b); err != nil {
		return &checkpointError{fmt.Errorf("copilot: saving checkpoint: %w", err)}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Sync the directory so that the rename itself survives a crash.
	// Without it, a crash could bring back the old checkpoint, and the
	// events after it would be sent again.
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// MemoryCheckpoint keeps the poll state in memory, for tests and for
// pollers that may start over after a restart. Its zero value is ready to
// use.
type MemoryCheckpoint struct {
	mu    sync.Mutex
	state PollState
}

var _ Checkpoint = (*MemoryCheckpoint)(nil)

// Load returns a copy of the last saved state.
func (m *MemoryCheckpoint) Load(ctx context.Context) (PollState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state.clone(), ctx.Err()
}

// Save stores a copy of s.
func (m *MemoryCheckpoint) Save(ctx context.Context, s PollState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = s.clone()
	return nil
}

func (s PollState) clone() PollState {
	c := PollState{Watermark: s.Watermark}
	if s.Recent != nil {
		c.Recent = make(map[string]time.Time, len(s.Recent))
		for k, v := range s.Recent {
			c.Recent[k] = v
		}
	}
	c.Pending = append([]string(nil), s.Pending...)
	return c
}
