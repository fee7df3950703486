package snapshot_test

import (
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

func TestMemoryStoreConformance(t *testing.T) {
	snapshottest.Run(t, func(t *testing.T) snapshot.Store {
		return snapshot.NewMemoryStore()
	})
}

func TestFileStoreConformance(t *testing.T) {
	snapshottest.Run(t, func(t *testing.T) snapshot.Store {
		return openStore(t, t.TempDir())
	})
}

// openStore opens a FileStore in dir and closes it when the test ends.
func openStore(t *testing.T, dir string) *snapshot.FileStore {
	t.Helper()
	s, err := snapshot.OpenFileStore(t.Context(), dir, nil)
	if err != nil {
		t.Fatalf("OpenFileStore(%s) error: %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
