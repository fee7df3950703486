package clari

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/google/go-cmp/cmp"
)

// randomExport returns an export whose entries mix runs, repeated keys,
// null values, decimal and other time frame ids, and duplicate users.
func randomExport(rng *rand.Rand, n int, runs bool) *Export {
	e := &Export{
		Fields:     []Field{{FieldID: "commit", FieldName: "Commit"}, {FieldID: "best", FieldName: ""}},
		TimeFrames: []TimeFrame{{TimeFrameID: "w1", StartDate: "2026-01-08"}, {TimeFrameID: "w0", StartDate: "2026-01-01"}},
	}
	for u := range 12 {
		e.Users = append(e.Users, User{UserID: ID(fmt.Sprintf("user-%d", rng.IntN(10+u))), Email: fmt.Sprintf("u%d@x", u)})
	}
	frames := []ID{"1", "2", "10", "9", "w0", "w1", "x", "01"}
	periods := []string{"2026_Q1", "2025_Q4", "2026_Q2"}
	fields := []string{"commit", "best", "pipeline"}
	for len(e.Entries) < n {
		en := Entry{
			TimePeriodID: periods[rng.IntN(len(periods))],
			UserID:       ID(fmt.Sprintf("user-%d", rng.IntN(14))),
			FieldID:      fields[rng.IntN(len(fields))],
		}
		for range 1 + rng.IntN(4) {
			en.TimeFrameID = frames[rng.IntN(len(frames))]
			en.ForecastValue = nil
			if rng.IntN(5) > 0 {
				v := diff.AmountFromMicros(rng.Int64N(1e9))
				en.ForecastValue = &v
			}
			e.Entries = append(e.Entries, en)
			if !runs {
				break
			}
		}
	}
	return e
}

// TestRowsSortedMatchesMap checks that Rows gives what the map-based
// fold gives, on exports with and without repeated keys.
func TestRowsSortedMatchesMap(t *testing.T) {
	for _, runs := range []bool{true, false} {
		for seed := range uint64(300) {
			t.Run(fmt.Sprintf("runs=%v/seed=%d", runs, seed), func(t *testing.T) {
				e := randomExport(rand.New(rand.NewPCG(seed, 7)), int(seed%40), runs)
				want, wantErr := e.rowsByMap()
				got, err := e.Rows()
				if (err != nil) != (wantErr != nil) {
					t.Fatalf("Rows() error %v, map-based fold error %v", err, wantErr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Rows() mismatch (-map +sorted):\n%s", diff)
				}
			})
		}
	}
}

// TestRowsUniqueRuns checks the sorted path itself, on an export whose
// keys each form one run, against the map-based fold.
func TestRowsUniqueRuns(t *testing.T) {
	e := &Export{Fields: []Field{{FieldID: "f", FieldName: "F"}}}
	for u := 300; u > 0; u-- {
		id := ID(fmt.Sprintf("%d", u*7919%1000))
		e.Users = append(e.Users, User{UserID: id, Email: string(id) + "@x"})
		for _, p := range []string{"2026_Q2", "2026_Q1"} {
			for w := range 3 {
				v := diff.AmountFromMicros(int64(u*10 + w))
				e.Entries = append(e.Entries, Entry{TimePeriodID: p, TimeFrameID: ID(fmt.Sprint(w)), UserID: id, FieldID: "f", ForecastValue: &v})
			}
		}
	}
	items, err := e.rowRuns()
	if err != nil || items == nil {
		t.Fatalf("rowRuns() = %v, %v; want one item per key", items, err)
	}
	want, _ := e.rowsByMap()
	if diff := cmp.Diff(want, e.rowsFromItems(items)); diff != "" {
		t.Errorf("rows mismatch (-map +sorted):\n%s", diff)
	}
}
