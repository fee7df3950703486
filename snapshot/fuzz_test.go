package snapshot_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// FuzzSnapshotFile writes arbitrary bytes as a snapshot file and checks
// that Get either reports it corrupt or returns a body that matches the
// checksum that the file records, and that View agrees with Get.
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

	body, js, ok := splitSnapshotFile(valid)
	if !ok {
		f.Fatalf("%s has no valid footer", path)
	}
	crc := fmt.Appendf(nil, "%08x", crc32.ChecksumIEEE(body))
	withoutCRC, err := json.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}

	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(valid[8:])
	f.Add([]byte("clariwatch-snapshot v1 0000000000000002 " + strings.Repeat("0", 64) + "\n"))
	f.Add(joinSnapshotFile(body, withoutCRC))
	f.Add(joinSnapshotFile([]byte("a,b\n1,3\n"), withoutCRC))
	f.Add(joinSnapshotFile(body, bytes.Replace(js, crc, []byte("00000000"), 1)))
	f.Add(joinSnapshotFile(body, bytes.Replace(js, crc, bytes.ToUpper(crc), 1)))
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
		if got.ID != "fuzz" || got.Size != int64(len(body)) {
			t.Fatalf("Get returned Meta %+v that does not match its %d-byte body", got, len(body))
		}
		if want, ok := recordedCRC32(t, data); ok {
			if sum := fmt.Sprintf("%08x", crc32.ChecksumIEEE(body)); sum != want {
				t.Fatalf("Get returned a body with CRC-32 %s, but the file records %s", sum, want)
			}
			return
		}
		if sum := sha256.Sum256(body); got.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("Get returned a body with SHA-256 %x, but the file records %s", sum, got.SHA256)
		}
	})
}

// recordedCRC32 returns the body_crc32 field of the metadata of the
// snapshot file data, which Get has read, and reports whether it is set.
func recordedCRC32(t *testing.T, data []byte) (string, bool) {
	t.Helper()
	_, js, ok := splitSnapshotFile(data)
	if !ok {
		t.Fatal("Get read a file without a valid footer")
	}
	var fields struct {
		BodyCRC32 string `json:"body_crc32"`
	}
	if err := json.Unmarshal(js, &fields); err != nil {
		t.Fatalf("Get read metadata that is not valid JSON: %v", err)
	}
	return fields.BodyCRC32, fields.BodyCRC32 != ""
}
