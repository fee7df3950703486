package diff_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

var (
	fuzzEmails  = []string{"ann@x.com", " Ann@X.com", "bob@x.com", "BOB@x.com ", "cy@x.com", "", "dee@x.com", "eve@x.com"}
	fuzzIDs     = []string{"", "", "u1", "u2"}
	fuzzPeriods = []string{"Q1", "Q2", "Q3"}
	fuzzFields  = []string{"commit", "best"}
)

// fuzzTables turns each 3 bytes of data into a row of one of the two
// tables, from a small set of owners, periods and fields so that keys
// collide often.
func fuzzTables(data []byte) (previous, current []diff.Row) {
	for ; len(data) >= 3; data = data[3:] {
		b := data[0]
		v := int64(int16(uint16(data[1])<<8 | uint16(data[2])))
		if v%3 == 0 {
			v = 0 // make zero values common
		}
		value, _ := diff.NewAmount(v, 1)
		r := diff.Row{
			Period:  fuzzPeriods[int(b>>1&3)%len(fuzzPeriods)],
			Field:   fuzzFields[b>>3&1],
			Email:   fuzzEmails[b>>4&7],
			OwnerID: fuzzIDs[int(b>>7)*(1+int(data[1]&1)+int(data[2]&1))%len(fuzzIDs)],
			Value:   value,
		}
		r.Name = strings.TrimSpace(r.Email)
		if b&1 == 0 {
			previous = append(previous, r)
		} else {
			current = append(current, r)
		}
	}
	return previous, current
}

// testKey is the key of r, computed independently of the package.
func testKey(r diff.Row) string {
	if r.OwnerID != "" {
		return r.Period + "|id:" + r.OwnerID + "|" + r.Field
	}
	return r.Period + "|email:" + strings.ToLower(strings.TrimSpace(r.Email)) + "|" + r.Field
}

func keySet(rows []diff.Row) (keys map[string]bool, duplicated bool) {
	keys = make(map[string]bool)
	for _, r := range rows {
		k := testKey(r)
		duplicated = duplicated || keys[k]
		keys[k] = true
	}
	return keys, duplicated
}

func FuzzCompute(f *testing.F) {
	f.Add([]byte{0x00, 0x00, 0x64, 0x01, 0x00, 0x6e}, uint8(10), uint8(0), uint8(0), uint64(1))
	f.Add([]byte{0x10, 0x01, 0x00, 0x11, 0x00, 0x00, 0x20, 0x00, 0x05, 0x33, 0xff, 0x9c}, uint8(0), uint8(3), uint8(1), uint64(2))
	f.Add([]byte{0x02, 0x00, 0x10, 0x05, 0x00, 0x20, 0x88, 0x01, 0x01, 0x89, 0x01, 0x03}, uint8(25), uint8(1), uint8(2), uint64(3))
	f.Add([]byte("some longer seed that makes a couple of dozen rows across all periods"), uint8(5), uint8(2), uint8(0), uint64(4))
	f.Fuzz(func(t *testing.T, data []byte, pct, minChange, direction uint8, seed uint64) {
		previous, current := fuzzTables(data)
		opts := &diff.Options{
			Threshold: diff.Threshold{Percent: diff.Percent(int64(pct % 120)), MinChange: amount("0")},
			Fields:    map[string]diff.Threshold{"best": {MinChange: diff.Percent(int64(minChange % 8))}},
			Direction: diff.Filter(direction % 3),
		}
		report, err := diff.Compute(previous, current, opts)
		prevKeys, prevDup := keySet(previous)
		curKeys, curDup := keySet(current)
		if prevDup || curDup {
			if !errors.Is(err, diff.ErrDuplicateKey) {
				t.Fatalf("tables with duplicate keys: error = %v, want ErrDuplicateKey", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Compute: %v", err)
		}
		checkBuckets(t, report, prevKeys, curKeys)

		rng := rand.New(rand.NewPCG(seed, seed>>1))
		again, err := diff.Compute(shuffled(rng, previous), shuffled(rng, current), opts)
		if err != nil {
			t.Fatalf("Compute on shuffled rows: %v", err)
		}
		if diff := cmp.Diff(report, again); diff != "" {
			t.Fatalf("shuffling the rows changed the report (-first +shuffled):\n%s", diff)
		}

		// Sorted tables take the walk in step instead of the index.
		sorted, err := diff.Compute(sortedRows(previous), sortedRows(current), opts)
		if err != nil {
			t.Fatalf("Compute on sorted rows: %v", err)
		}
		if diff := cmp.Diff(report, sorted); diff != "" {
			t.Fatalf("sorting the rows changed the report (-first +sorted):\n%s", diff)
		}
		checkComputeTables(t, previous, current, opts)
		checkComputeTables(t, sortedRows(previous), sortedRows(current), opts)
	})
}

// sortedRows returns a copy of rows sorted by diff.CompareKeys.
func sortedRows(rows []diff.Row) []diff.Row {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b diff.Row) int { return diff.CompareKeys(&a, &b) })
	return out
}

func FuzzCompareKeys(f *testing.F) {
	f.Add([]byte{0x00, 0x00, 0x64, 0x01, 0x00, 0x6e})
	f.Add([]byte{0x10, 0x01, 0x00, 0x91, 0x01, 0x00, 0x20, 0x00, 0x05, 0xb3, 0xff, 0x9c})
	f.Fuzz(func(t *testing.T, data []byte) {
		previous, current := fuzzTables(data)
		rows := append(previous, current...)
		for i := range rows {
			for j := range rows {
				a, b := &rows[i], &rows[j]
				c := diff.CompareKeys(a, b)
				if (c == 0) != (testKey(*a) == testKey(*b)) {
					t.Fatalf("CompareKeys(%+v, %+v) = %d, but the keys are %q and %q", *a, *b, c, testKey(*a), testKey(*b))
				}
				if back := diff.CompareKeys(b, a); back != -c {
					t.Fatalf("CompareKeys is not antisymmetric: %d one way, %d the other, for %+v and %+v", c, back, *a, *b)
				}
			}
		}
	})
}

// checkBuckets checks that every key of either table lands in exactly one
// summary bucket, and that the changes match the counts.
func checkBuckets(t *testing.T, r *diff.Report, prevKeys, curKeys map[string]bool) {
	t.Helper()
	all, both := len(prevKeys), 0
	for k := range curKeys {
		if prevKeys[k] {
			both++
		} else {
			all++
		}
	}
	s := r.Summary
	if got := s.Changed + s.Added + s.Removed + s.Unchanged + s.BelowThreshold + s.OtherPeriods; got != all {
		t.Errorf("buckets sum to %d, want %d keys: %+v", got, all, s)
	}
	if s.Compared != both {
		t.Errorf("Compared = %d, want %d keys in both tables", s.Compared, both)
	}
	if got := s.Changed + s.Added + s.Removed; got != len(r.Changes) {
		t.Errorf("Changed+Added+Removed = %d, want %d changes", got, len(r.Changes))
	}
	if r.PeriodChanged && len(r.Changes) > 0 {
		t.Errorf("PeriodChanged report lists %d changes", len(r.Changes))
	}
}

func TestComputeShuffledInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	previous, current := benchTables(2000, rng)
	want := mustCompute(t, previous, current, nil)
	for i := range 5 {
		got := mustCompute(t, shuffled(rng, previous), shuffled(rng, current), nil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("shuffle %d changed the report (-want +got):\n%s", i, diff)
		}
	}
	if len(want.Changes) == 0 {
		t.Fatal("generated tables have no changes")
	}
}
