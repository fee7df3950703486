package clariwatch_test

import (
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/snapshot"
)

func TestTickPrunesOldSnapshots(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) { c.Keep = 2 })
	stream := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
	var pruned int
	for i, amount := range []string{"100", "200", "300", "400", "500"} {
		res, err := s.tick(t, ownersJSON("2026_Q4", 10, amount))
		if err != nil {
			t.Fatalf("tick %d: %v", i+1, err)
		}
		pruned += len(res.Pruned)
	}
	list, err := s.store.List(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Errorf("after 5 ticks with Keep 2, the stream has %d snapshots, want 2", len(list))
	}
	if pruned != 3 {
		t.Errorf("ticks pruned %d snapshots in all, want 3", pruned)
	}
	if head := s.headID(t, stream); len(list) == 0 || list[0].ID != head {
		t.Errorf("newest kept snapshot is not the head %s", head)
	}
}

func TestTickKeepNegativeKeepsAll(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) { c.Keep = -1 })
	stream := snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"}
	for i, amount := range []string{"100", "200", "300"} {
		if _, err := s.tick(t, ownersJSON("2026_Q4", 10, amount)); err != nil {
			t.Fatalf("tick %d: %v", i+1, err)
		}
	}
	list, err := s.store.List(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("with Keep -1 the stream has %d snapshots, want 3", len(list))
	}
}

func TestTickAfterEmptyHeadIsBaseline(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) { c.Period = "2026_Q4" })
	first, err := s.tick(t, []byte(`{"period":"2026_Q4","entries":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !first.Baseline {
		t.Fatalf("empty first export: baseline = false, want true")
	}
	second, err := s.tick(t, ownersJSON("2026_Q4", 10, "100"))
	if err != nil {
		t.Fatal(err)
	}
	if !second.Baseline {
		t.Errorf("first export with values after an empty head: baseline = false, want true")
	}
	if n := len(second.Report.Changes); n != 0 {
		t.Errorf("first export with values reported %d changes, want 0", n)
	}
	if s.rec.count() != 0 {
		t.Errorf("notifier got %d messages, want 0", s.rec.count())
	}
	if !second.Advanced {
		t.Errorf("head did not move to the export with values")
	}
}

func TestTickDryRunMessageSaysDryRun(t *testing.T) {
	s := newFileSetup(t, func(c *clariwatch.Config) { c.DryRun = true })
	res, err := s.tick(t, readExport(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Message == nil {
		t.Fatal("dry run rendered no message")
	}
	if text := res.Message.PlainText(); !strings.Contains(text, "dry run") {
		t.Errorf("dry-run message does not say so:\n%s", text)
	}
}
