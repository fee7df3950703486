package clariwatch_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
)

// staleHeadStore answers its first Head call with the snapshot stale, as
// if another tick advanced the head between that read and the lock.
type staleHeadStore struct {
	snapshot.Store
	stale snapshot.Meta
	calls atomic.Int32
}

func (s *staleHeadStore) Head(ctx context.Context, k snapshot.Key) (snapshot.Meta, error) {
	if s.calls.Add(1) == 1 {
		return s.stale, nil
	}
	return s.Store.Head(ctx, k)
}

// TestTickHeadMovedBeforeLock checks that a tick compares with the head
// it reads under the lock, not with the one it started to read early.
func TestTickHeadMovedBeforeLock(t *testing.T) {
	owners := func(amount string) []byte {
		return fmt.Appendf(nil, `{"period":"2026_Q4","entries":[{"ownerEmail":"ana@example.com","forecastAmount":%s},`+
			`{"ownerEmail":"bo@example.com","forecastAmount":50}]}`, amount)
	}
	for _, period := range []string{"", "2026_Q4"} {
		t.Run("period="+period, func(t *testing.T) {
			ctx := t.Context()
			mem := snapshot.NewMemoryStore()
			k := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
			old, err := mem.Put(ctx, snapshot.Meta{Key: k}, bytes.NewReader(owners("100")))
			if err != nil {
				t.Fatal(err)
			}
			head, err := mem.Put(ctx, snapshot.Meta{Key: k, ParentID: old.ID}, bytes.NewReader(owners("200")))
			if err != nil {
				t.Fatal(err)
			}
			if err := mem.Advance(ctx, k, "", head.ID); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "export.json")
			if err := os.WriteFile(path, owners("300.5"), 0o600); err != nil {
				t.Fatal(err)
			}
			m, err := clariwatch.NewMonitor(clariwatch.Config{
				Source: &clariwatch.FileSource{Path: path}, Store: &staleHeadStore{Store: mem, stale: old},
				ForecastID: "net_bookings", Period: period,
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := m.Tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.HeadID != head.ID || len(res.Report.Changes) != 1 {
				t.Fatalf("Tick() head %s with %d changes, want head %s with 1 change", res.HeadID, len(res.Report.Changes), head.ID)
			}
			want := diff.MustParseAmount("200")
			if got := res.Report.Changes[0].Previous; got == nil || got.Cmp(want) != 0 {
				t.Errorf("Tick() change from %v, want from %v (the head under the lock)", got, want)
			}
		})
	}
}
