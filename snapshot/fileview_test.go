package snapshot_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

func TestFileStoreViewReturnsFnError(t *testing.T) {
	s := openStore(t, t.TempDir())
	m, err := s.Put(t.Context(), snapshot.Meta{Key: snapshottest.Key("fc")}, strings.NewReader("a,b\n1,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
	}{
		{"plain", errors.New("callback failed")},
		// An error of fn that wraps a fault error, for example from a
		// View of another snapshot, is not a fault in this mapping.
		{"wraps a fault", fmt.Errorf("read other snapshot: %w", snapshot.NewFaultError(1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.View(t.Context(), m.ID, func(snapshot.Meta, []byte) error { return tt.err })
			if err != tt.err {
				t.Errorf("View error = %v, want the error of fn unchanged", err)
			}
		})
	}
}
