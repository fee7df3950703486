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

// viewBenchLen is the body size of BenchmarkGet and BenchmarkView, a
// little below the 90.7 MB export of one million owners that
// docs/bench/monitor.md measures.
const viewBenchLen = 64 << 20

// putViewBench stores a viewBenchLen body in a FileStore under b.TempDir()
// and returns the store and the snapshot id.
func putViewBench(b *testing.B) (*snapshot.FileStore, string) {
	s, err := snapshot.OpenFileStore(b.Context(), b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	body := bytes.Repeat([]byte("0123456789abcdef"), viewBenchLen/16)
	m, err := s.Put(b.Context(), snapshot.Meta{Key: snapshottest.Key("bench")}, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	return s, m.ID
}

// BenchmarkGet measures Get of a 64 MiB snapshot whose file is in the page
// cache: a read into new memory and the CRC-32 check. Compare it with
// BenchmarkView.
func BenchmarkGet(b *testing.B) {
	s, id := putViewBench(b)
	b.SetBytes(viewBenchLen)
	b.ReportAllocs()
	for b.Loop() {
		_, body, err := s.Get(b.Context(), id)
		if err != nil {
			b.Fatal(err)
		}
		if len(body) != viewBenchLen {
			b.Fatalf("Get returned %d bytes, want %d", len(body), viewBenchLen)
		}
	}
}

// BenchmarkView measures View of the same snapshot as BenchmarkGet: on
// Unix a read-only mapping of the file and the CRC-32 check.
func BenchmarkView(b *testing.B) {
	s, id := putViewBench(b)
	b.SetBytes(viewBenchLen)
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(b.Context(), id, func(_ snapshot.Meta, body []byte) error {
			if len(body) != viewBenchLen {
				b.Fatalf("View lent %d bytes, want %d", len(body), viewBenchLen)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
