package snapshot_test

import (
	"bytes"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// BenchmarkPutAdvance measures Put of a new snapshot followed by Advance
// of the head to it, in a FileStore under b.TempDir().
func BenchmarkPutAdvance(b *testing.B) {
	for _, size := range []struct {
		name  string
		bytes int
	}{{"1MB", 1 << 20}, {"50MB", 50 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			s, err := snapshot.OpenFileStore(b.Context(), b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			k := snapshottest.Key("bench")
			body := bytes.Repeat([]byte("0123456789abcdef"), size.bytes/16)
			head := ""
			b.SetBytes(int64(size.bytes))
			for b.Loop() {
				m, err := s.Put(b.Context(), snapshot.Meta{Key: k, ParentID: head}, bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Advance(b.Context(), k, head, m.ID); err != nil {
					b.Fatal(err)
				}
				head = m.ID
			}
		})
	}
}

// BenchmarkHead measures Head of a stream whose head is a 1 MB snapshot.
func BenchmarkHead(b *testing.B) {
	s, err := snapshot.OpenFileStore(b.Context(), b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	k := snapshottest.Key("bench")
	m, err := s.Put(b.Context(), snapshot.Meta{Key: k}, bytes.NewReader(make([]byte, 1<<20)))
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Advance(b.Context(), k, "", m.ID); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Head(b.Context(), k); err != nil {
			b.Fatal(err)
		}
	}
}
