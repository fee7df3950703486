package snapshot_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// FuzzSnapshotFile writes arbitrary bytes as a snapshot file and checks
// that Get either reports it corrupt or returns a body that matches its
// digest, and that View agrees with Get.
func FuzzSnapshotFile(f *testing.F) {
	dir := f.TempDir()
	s, err := snapshot.OpenFileStore(f.Context(), dir, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	m, err := s.Put(f.Context(), snapshot.Meta{Key: snapshottest.Key("fc"), ID: "fuzz"}, strings.NewReader("a,b\n1,2\n"))
	if err != nil {
		f.Fatal(err)
	}
	path := snapshotFile(dir, m)
	valid, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}

	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(valid[8:])
	f.Add([]byte("clariwatch-snapshot v1 0000000000000002 " + strings.Repeat("0", 64) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, body, err := s.Get(t.Context(), "fuzz")
		viewErr := s.View(t.Context(), "fuzz", func(vm snapshot.Meta, data []byte) error {
			if vm != got || !bytes.Equal(data, body) {
				t.Errorf("View returned Meta %+v and %d bytes, but Get returned %+v and %d bytes",
					vm, len(data), got, len(body))
			}
			return nil
		})
		if (viewErr == nil) != (err == nil) {
			t.Errorf("View error = %v, but Get error = %v", viewErr, err)
		}
		if err != nil {
			if !errors.Is(err, snapshot.ErrCorrupt) {
				t.Fatalf("Get error = %v, want ErrCorrupt", err)
			}
			return
		}
		sum := sha256.Sum256(body)
		if got.ID != "fuzz" || got.SHA256 != hex.EncodeToString(sum[:]) || got.Size != int64(len(body)) {
			t.Fatalf("Get returned Meta %+v that does not match its %d-byte body", got, len(body))
		}
	})
}
