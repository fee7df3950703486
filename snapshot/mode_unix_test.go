//go:build unix

package snapshot_test

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// TestFileStoreModes checks that files are 0600 and directories 0700 under
// a permissive and a restrictive umask. It changes the process umask, so
// it must not run in parallel with other tests.
func TestFileStoreModes(t *testing.T) {
	for _, umask := range []int{0, 0o277} {
		t.Run(fmt.Sprintf("umask %#o", umask), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)

			dir := filepath.Join(t.TempDir(), "store")
			s := openStore(t, dir)
			k := snapshottest.Key("fc")
			m, err := s.Put(t.Context(), snapshot.Meta{Key: k}, strings.NewReader("revenue"))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Advance(t.Context(), k, "", m.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.SetPending(t.Context(), k, "job"); err != nil {
				t.Fatal(err)
			}
			checkModes(t, dir)
		})
	}
}

func checkModes(t *testing.T, dir string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = fs.ModeDir | 0o700
		} else {
			files++
		}
		if info.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, info.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Errorf("walked %d files, want at least key, lock, HEAD, PENDING and a snapshot", files)
	}
}
