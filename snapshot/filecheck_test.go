package snapshot_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// The footer of a snapshot file: this magic, the length of the metadata
// JSON as 16 hex digits, a space, the SHA-256 of the JSON as 64 hex digits
// and a newline.
const (
	footerMagic = "clariwatch-snapshot v1 "
	footerLen   = len(footerMagic) + 16 + 1 + 64 + 1
)

// splitSnapshotFile returns the body and the metadata JSON of the snapshot
// file data. It reports false when data does not end in a footer whose
// metadata length fits in data. It does not check the metadata's digest.
func splitSnapshotFile(data []byte) (body, js []byte, ok bool) {
	if len(data) < footerLen {
		return nil, nil, false
	}
	footer := data[len(data)-footerLen:]
	if !bytes.HasPrefix(footer, []byte(footerMagic)) {
		return nil, nil, false
	}
	n, err := strconv.ParseInt(string(footer[len(footerMagic):len(footerMagic)+16]), 16, 64)
	rest := data[:len(data)-footerLen]
	if err != nil || n < 0 || n > int64(len(rest)) {
		return nil, nil, false
	}
	split := len(rest) - int(n)
	return rest[:split], rest[split:], true
}

// joinSnapshotFile returns a snapshot file of body and the metadata js,
// with the footer that FileStore writes.
func joinSnapshotFile(body, js []byte) []byte {
	footer := fmt.Sprintf("%s%016x %x\n", footerMagic, len(js), sha256.Sum256(js))
	return append(append(bytes.Clone(body), js...), footer...)
}

// putFile puts body into a new FileStore in dir and returns the Meta and
// the path of the snapshot file.
func putFile(t *testing.T, dir string, body []byte) (*snapshot.FileStore, snapshot.Meta, string) {
	t.Helper()
	s := openStore(t, dir)
	k := snapshottest.Key("fc")
	m, err := s.Put(t.Context(), snapshot.Meta{Key: k, RowCount: 2}, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(t.Context(), k, "", m.ID); err != nil {
		t.Fatal(err)
	}
	return s, m, snapshotFile(dir, m)
}

// readSnapshotFile returns the body and metadata JSON of the snapshot file
// at path.
func readSnapshotFile(t *testing.T, path string) (body, js []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	body, js, ok := splitSnapshotFile(data)
	if !ok {
		t.Fatalf("%s has no valid footer", path)
	}
	return body, js
}

// checkCorruptReason fails unless err is a *CorruptError for id whose
// reason contains want.
func checkCorruptReason(t *testing.T, op string, err error, id, want string) {
	t.Helper()
	checkCorrupt(t, op, err, id)
	var ce *snapshot.CorruptError
	if errors.As(err, &ce) && !strings.Contains(ce.Reason, want) {
		t.Errorf("%s error reason %q does not contain %q", op, ce.Reason, want)
	}
}

// checkReads fails unless Get and View of snapshot m return m and body.
func checkReads(t *testing.T, s *snapshot.FileStore, m snapshot.Meta, body []byte) {
	t.Helper()
	got, data, err := s.Get(t.Context(), m.ID)
	if err != nil {
		t.Fatalf("Get error: %v", err)
	}
	if got != m {
		t.Errorf("Get Meta = %+v, want %+v", got, m)
	}
	if !bytes.Equal(data, body) {
		t.Errorf("Get returned %q, want %q", data, body)
	}
	calls := 0
	err = s.View(t.Context(), m.ID, func(got snapshot.Meta, data []byte) error {
		calls++
		if got != m {
			t.Errorf("View Meta = %+v, want %+v", got, m)
		}
		if !bytes.Equal(data, body) {
			t.Errorf("View lent %q, want %q", data, body)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View error: %v", err)
	}
	if calls != 1 {
		t.Errorf("View called fn %d times, want 1", calls)
	}
}

func TestFileStorePutRecordsCRC32(t *testing.T) {
	body := []byte("email,commit\na@example.com,100.00\n")
	s, m, path := putFile(t, t.TempDir(), body)
	_, js := readSnapshotFile(t, path)

	var fields map[string]any
	if err := json.Unmarshal(js, &fields); err != nil {
		t.Fatalf("metadata is not a JSON object: %v", err)
	}
	if want := fmt.Sprintf("%08x", crc32.ChecksumIEEE(body)); fields["body_crc32"] != want {
		t.Errorf("body_crc32 = %v, want %q", fields["body_crc32"], want)
	}
	if fields["sha256"] != m.SHA256 {
		t.Errorf("sha256 = %v, want %q", fields["sha256"], m.SHA256)
	}
	var stored snapshot.Meta
	if err := json.Unmarshal(js, &stored); err != nil {
		t.Fatal(err)
	}
	if stored != m {
		t.Errorf("metadata decodes as Meta %+v, want %+v", stored, m)
	}
	checkReads(t, s, m, body)
}

func TestFileStoreEmptyBodyCRC32(t *testing.T) {
	s, m, path := putFile(t, t.TempDir(), nil)
	_, js := readSnapshotFile(t, path)
	if !bytes.Contains(js, []byte(`"body_crc32":"00000000"`)) {
		t.Errorf("metadata %s does not record the CRC-32 00000000 of the empty body", js)
	}
	checkReads(t, s, m, []byte{})
}

// TestFileStoreFileWithoutCRC32 reads a file in the layout that versions
// before the CRC-32 wrote: the Meta alone as metadata.
func TestFileStoreFileWithoutCRC32(t *testing.T) {
	body := []byte("email,commit\na@example.com,100.00\n")
	dir := t.TempDir()
	s, m, path := putFile(t, dir, body)
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, joinSnapshotFile(body, js), 0o600); err != nil {
		t.Fatal(err)
	}
	checkReads(t, s, m, body)
	if head, err := s.Head(t.Context(), m.Key); err != nil || head != m {
		t.Errorf("Head = %+v, %v; want %+v", head, err, m)
	}

	damaged := bytes.Clone(body)
	damaged[3] ^= 0x20
	if err := os.WriteFile(path, joinSnapshotFile(damaged, js), 0o600); err != nil {
		t.Fatal(err)
	}
	_, got, err := s.Get(t.Context(), m.ID)
	checkCorruptReason(t, "Get", err, m.ID, "SHA-256")
	if got != nil {
		t.Errorf("Get returned %d bytes of a corrupt snapshot", len(got))
	}
	err = s.View(t.Context(), m.ID, failCallback(t))
	checkCorruptReason(t, "View", err, m.ID, "SHA-256")
}

func TestFileStoreFlippedByteFailsCRC32(t *testing.T) {
	body := bytes.Repeat([]byte("a@example.com,100.00\n"), 100)
	for _, offset := range []int{0, len(body) / 2, len(body) - 1} {
		t.Run(strconv.Itoa(offset), func(t *testing.T) {
			s, m, path := putFile(t, t.TempDir(), body)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			data[offset] ^= 0x01
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, got, err := s.Get(t.Context(), m.ID)
			checkCorruptReason(t, "Get", err, m.ID, "CRC-32")
			if got != nil {
				t.Errorf("Get returned %d bytes of a corrupt snapshot", len(got))
			}
			err = s.View(t.Context(), m.ID, failCallback(t))
			checkCorruptReason(t, "View", err, m.ID, "CRC-32")
		})
	}
}

func TestFileStoreTamperedCRC32(t *testing.T) {
	body := []byte("email,commit\na@example.com,100.00\n")
	tests := []struct {
		name string
		// tamper returns the snapshot file with the CRC-32 field of
		// metadata js, whose value is crc, changed.
		tamper func(body, js []byte, crc string) []byte
		// reason is part of the expected *CorruptError reason.
		reason string
		// metaFails is true when Head and List fail too, because the
		// metadata itself is damaged.
		metaFails bool
	}{
		{
			name: "footer not updated",
			tamper: func(body, js []byte, crc string) []byte {
				return append(append(bytes.Clone(body), bytes.Replace(js, []byte(crc), []byte("00000001"), 1)...),
					joinSnapshotFile(nil, js)[len(js):]...)
			},
			reason:    "footer",
			metaFails: true,
		},
		{
			name: "footer updated",
			tamper: func(body, js []byte, crc string) []byte {
				return joinSnapshotFile(body, bytes.Replace(js, []byte(crc), []byte("00000001"), 1))
			},
			reason: "CRC-32",
		},
		{
			name: "upper-case digits",
			tamper: func(body, js []byte, crc string) []byte {
				return joinSnapshotFile(body, bytes.Replace(js, []byte(crc), []byte("ABCDEF01"), 1))
			},
			reason:    "body_crc32",
			metaFails: true,
		},
		{
			name: "too short",
			tamper: func(body, js []byte, crc string) []byte {
				return joinSnapshotFile(body, bytes.Replace(js, []byte(crc), []byte("0"), 1))
			},
			reason:    "body_crc32",
			metaFails: true,
		},
		{
			name: "number",
			tamper: func(body, js []byte, crc string) []byte {
				return joinSnapshotFile(body, bytes.Replace(js, []byte(`"`+crc+`"`), []byte("1"), 1))
			},
			reason:    "not valid JSON",
			metaFails: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, m, path := putFile(t, t.TempDir(), body)
			_, js := readSnapshotFile(t, path)
			crc := fmt.Sprintf("%08x", crc32.ChecksumIEEE(body))
			if !bytes.Contains(js, []byte(`"body_crc32":"`+crc+`"`)) {
				t.Fatalf("metadata %s does not record CRC-32 %s", js, crc)
			}
			if err := os.WriteFile(path, tt.tamper(body, js, crc), 0o600); err != nil {
				t.Fatal(err)
			}

			_, got, err := s.Get(t.Context(), m.ID)
			checkCorruptReason(t, "Get", err, m.ID, tt.reason)
			if got != nil {
				t.Errorf("Get returned %d bytes of a corrupt snapshot", len(got))
			}
			err = s.View(t.Context(), m.ID, failCallback(t))
			checkCorruptReason(t, "View", err, m.ID, tt.reason)
			_, err = s.Head(t.Context(), m.Key)
			_, listErr := s.List(t.Context(), m.Key)
			if tt.metaFails {
				checkCorruptReason(t, "Head", err, m.ID, tt.reason)
				checkCorruptReason(t, "List", listErr, m.ID, tt.reason)
			} else {
				if err != nil {
					t.Errorf("Head error = %v; Head does not read the body", err)
				}
				if listErr != nil {
					t.Errorf("List error = %v; List does not read the bodies", listErr)
				}
			}
		})
	}
}
