package clari

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
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

// TestRowsUniqueRuns checks the sorted path itself, on exports whose
// keys each form one run, against the map-based fold.
func TestRowsUniqueRuns(t *testing.T) {
	tests := []struct {
		name        string
		periods     []string
		users       func(ids []ID) []ID // the users listed, from the ids in entry order
		wantAligned bool
	}{
		{"users in entry order", []string{"2026_Q1"}, func(ids []ID) []ID { return ids }, true},
		{"two periods", []string{"2026_Q2", "2026_Q1"}, func(ids []ID) []ID { return ids }, false},
		{"users reversed", []string{"2026_Q1"}, func(ids []ID) []ID {
			r := slices.Clone(ids)
			slices.Reverse(r)
			return r
		}, false},
		{"a user listed twice", []string{"2026_Q1"}, func(ids []ID) []ID {
			return append(slices.Clone(ids[:5]), append([]ID{ids[2]}, ids[5:]...)...)
		}, false},
		{"a user missing", []string{"2026_Q1"}, func(ids []ID) []ID { return ids[1:] }, false},
		{"many users without entries", []string{"2026_Q1"}, func(ids []ID) []ID {
			var all []ID
			for i, id := range ids {
				all = append(all, id)
				for j := range i % 30 {
					all = append(all, ID(fmt.Sprintf("%s-extra-%d", id, j)))
				}
			}
			return all
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Export{Fields: []Field{{FieldID: "f", FieldName: "F"}, {FieldID: "g"}}}
			var ids []ID
			for u := 300; u > 0; u-- {
				id := ID(fmt.Sprintf("%d", u*7919%1000))
				ids = append(ids, id)
				for _, p := range tt.periods {
					for _, f := range []string{"g", "f"} {
						for w := range 3 {
							v := diff.AmountFromMicros(int64(u*10 + w))
							e.Entries = append(e.Entries, Entry{TimePeriodID: p, TimeFrameID: ID(fmt.Sprint(w)),
								UserID: id, FieldID: f, ForecastValue: &v})
						}
					}
				}
			}
			for i, id := range tt.users(ids) {
				e.Users = append(e.Users, User{UserID: id, Email: fmt.Sprintf("%s-%d@x", id, i)})
			}
			items, aligned, err := e.rowRuns()
			if err != nil || items == nil {
				t.Fatalf("rowRuns() = %v, %v; want one item per key", items, err)
			}
			if aligned != tt.wantAligned {
				t.Errorf("rowRuns() aligned = %v, want %v", aligned, tt.wantAligned)
			}
			want, _ := e.rowsByMap()
			if diff := cmp.Diff(want, e.rowsFromItems(items, aligned)); diff != "" {
				t.Errorf("rows mismatch (-map +sorted):\n%s", diff)
			}
		})
	}
}

// TestRowsUserListedTwiceInEntryOrder checks that of two users with one
// id the first listed wins when the entries come back to that user in
// the order of the list.
func TestRowsUserListedTwiceInEntryOrder(t *testing.T) {
	v := diff.AmountFromMicros(1)
	e := &Export{Users: []User{{UserID: "a", Email: "first@x"}, {UserID: "b"}, {UserID: "a", Email: "second@x"}}}
	for _, k := range [][2]string{{"a", "f"}, {"b", "f"}, {"a", "g"}} {
		e.Entries = append(e.Entries, Entry{TimePeriodID: "p", TimeFrameID: "1", UserID: ID(k[0]), FieldID: k[1], ForecastValue: &v})
	}
	got, err := e.Rows()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := e.rowsByMap()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rows() mismatch (-map +sorted):\n%s", diff)
	}
	if got[0].Email != "first@x" || got[1].Email != "first@x" {
		t.Errorf("Rows() emails %q, %q; want first@x for both rows of user a", got[0].Email, got[1].Email)
	}
}

// TestSortItems checks the radix sort against slices.SortFunc on items
// with few distinct bytes, shared prefixes and several periods.
func TestSortItems(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 5000} {
		for _, periods := range []int{1, 3} {
			t.Run(fmt.Sprintf("n=%d/periods=%d", n, periods), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(n), uint64(periods)))
				items := make([]rowItem, n)
				for i := range items {
					items[i] = rowItem{prefix: uint64(rng.IntN(40)) << 40 * uint64(1+rng.IntN(2)), period: int32(rng.IntN(periods)),
						entry: int32(rng.IntN(n + 1)), user: int32(i)}
				}
				compare := func(a, b rowItem) int {
					if c := cmpInt(a.period, b.period); c != 0 {
						return c
					}
					if c := cmpInt(a.prefix, b.prefix); c != 0 {
						return c
					}
					if c := cmpInt(a.entry, b.entry); c != 0 {
						return c
					}
					return cmpInt(a.user, b.user)
				}
				want := slices.Clone(items)
				slices.SortFunc(want, compare)
				sortItems(items, periods, compare)
				if !slices.Equal(want, items) {
					t.Errorf("sortItems() differs from slices.SortFunc")
				}
			})
		}
	}
}

func cmpInt[T int32 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// FuzzRowsMatchMap checks that Rows gives the rows and the error of the
// map-based fold on any export that decodes.
func FuzzRowsMatchMap(f *testing.F) {
	for _, name := range []string{"export.json", "owners.json"} {
		f.Add(readTestdataF(f, name))
	}
	for _, s := range []string{
		`{"entries":[{"timePeriodId":"q","userId":"a","fieldId":"f","timeFrameId":"2","forecastValue":1},` +
			`{"timePeriodId":"q","userId":"a","fieldId":"f","timeFrameId":"10","forecastValue":2},` +
			`{"timePeriodId":"q","userId":"b","fieldId":"f","timeFrameId":"1","forecastValue":3},` +
			`{"timePeriodId":"q","userId":"a","fieldId":"f","timeFrameId":"x","forecastValue":4}],` +
			`"users":[{"userId":"a","email":"a1"},{"userId":"b"},{"userId":"a","email":"a2"}]}`,
		`{"entries":[{"timePeriodId":"q2","userId":"a","fieldId":"f","forecastValue":1},` +
			`{"timePeriodId":"q1","userId":"a","fieldId":"f","forecastValue":2},{"userId":"a","forecastValue":3}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ReadOptions{Period: "2026_Q1"}.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		want, wantErr := e.rowsByMap()
		got, err := e.Rows()
		if errString(err) != errString(wantErr) {
			t.Fatalf("Rows() error %v, map-based fold error %v", err, wantErr)
		}
		if diff := cmp.Diff(want, got, cmpAmount); diff != "" {
			t.Fatalf("Rows() mismatch (-map +sorted):\n%s", diff)
		}
	})
}
