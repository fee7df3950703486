package snapshot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/snapshot"
)

func TestNewIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 9, 30, 0, 0, time.FixedZone("PST", -8*3600))
	a := snapshot.NewID(t0)
	b := snapshot.NewID(t0.Add(time.Nanosecond))
	c := snapshot.NewID(t0.Add(10 * time.Hour))
	if !(a < b && b < c) {
		t.Errorf("ids do not sort by time: %q, %q, %q", a, b, c)
	}
	if !strings.HasPrefix(a, "20260115T173000.000000000Z-") {
		t.Errorf("NewID = %q, want the UTC time first", a)
	}
	if err := snapshot.ValidateID(a); err != nil {
		t.Errorf("ValidateID(NewID) error: %v", err)
	}
	if snapshot.NewID(t0) == a {
		t.Error("two NewID calls for the same time returned the same id")
	}
}

func TestKeyDirName(t *testing.T) {
	upper := snapshot.Key{ForecastID: "fc", Currency: "USD"}
	lower := snapshot.Key{ForecastID: "fc", Currency: "usd"}
	if strings.EqualFold(upper.DirName(), lower.DirName()) {
		t.Errorf("DirName of keys that differ in case are equal ignoring case: %q", upper.DirName())
	}
	want := "fc+2026-Q1+team%2Ewest+USD+-"
	k := snapshot.Key{ForecastID: "fc", TimePeriod: "2026-Q1", Scope: "team.west", Currency: "USD"}
	if got := k.DirName(); !strings.HasPrefix(got, want) || len(got) != len(want)+16 {
		t.Errorf("DirName = %q, want %q and 16 hex digits", got, want)
	}
}

// FuzzKeyDirName checks that every valid key maps to a short directory name
// of safe bytes, and that the names of different keys differ.
func FuzzKeyDirName(f *testing.F) {
	f.Add("fc", "2026-Q1", "org", "USD", "", "fc", "2026-Q1", "org", "usd", "")
	f.Add("../..", "a/b", ".", "..", "x", "%2E%2E", "", "", "", "")
	f.Add("a+b", "", "", "", "", "a", "b", "", "", "")
	f.Fuzz(func(t *testing.T, f1, p1, s1, c1, y1, f2, p2, s2, c2, y2 string) {
		k1 := snapshot.Key{ForecastID: f1, TimePeriod: p1, Scope: s1, Currency: c1, Types: y1}
		k2 := snapshot.Key{ForecastID: f2, TimePeriod: p2, Scope: s2, Currency: c2, Types: y2}
		if k1.Validate() != nil {
			return
		}
		name := k1.DirName()
		if len(name) > 200 || name == "." || name == ".." || name[0] == '.' {
			t.Fatalf("DirName(%+v) = %q", k1, name)
		}
		for i := 0; i < len(name); i++ {
			if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%+-_", rune(name[i])) {
				t.Fatalf("DirName(%+v) = %q has byte %q", k1, name, name[i])
			}
		}
		if k2.Validate() == nil && k1 != k2 && strings.EqualFold(name, k2.DirName()) {
			t.Fatalf("keys %+v and %+v share directory %q", k1, k2, name)
		}
	})
}
