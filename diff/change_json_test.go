package diff_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
)

// reflectedChange has the fields and tags of diff.Change but not its
// methods, so json.Marshal encodes it by reflection: the reference that
// Change.AppendJSON must match.
type reflectedChange diff.Change

func checkChangeJSON(t *testing.T, c diff.Change) {
	t.Helper()
	want, err := json.Marshal(reflectedChange(c))
	if err != nil {
		t.Fatalf("json.Marshal of %+v: %v", c, err)
	}
	if got := c.AppendJSON(nil); string(got) != string(want) {
		t.Errorf("AppendJSON of %+v\n got %s\nwant %s", c, got, want)
	}
	viaMethod, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal through MarshalJSON: %v", err)
	}
	if string(viaMethod) != string(want) {
		t.Errorf("json.Marshal through MarshalJSON\n got %s\nwant %s", viaMethod, want)
	}
}

func TestChangeAppendJSON(t *testing.T) {
	prev, cur := amount("1234.5"), amount("-0.000001")
	pct := []float64{10, -100, 1.0 / 3, 1e-7, -2.5e-9, 1e21, 123456789012345678, 0}
	for _, p := range pct {
		checkChangeJSON(t, diff.Change{
			Kind: diff.KindChanged, Period: "2026_Q4", OwnerID: "u1", Email: "Ann@X.com",
			Name: "Ann \"A\" <Lee> & co\t\u2028\u2029\x01\xff é", Field: "commit", FieldName: "Commit",
			Previous: prev, Current: cur, Delta: *amount("-1234.500001"), Percent: &p, Direction: diff.Decreased,
		})
	}
	checkChangeJSON(t, diff.Change{Kind: diff.KindAdded, Current: amount("0"), Direction: diff.Increased})
	checkChangeJSON(t, diff.Change{})
	big := diff.AmountFromMicros(math.MinInt64)
	checkChangeJSON(t, diff.Change{Kind: diff.KindRemoved, Previous: &big, Delta: big})
}

func FuzzChangeAppendJSON(f *testing.F) {
	f.Add("Ann <a&b>", "ann@x.com\u2028", int64(1234500000), int64(-5), 10.5)
	f.Add("\xff\xfe\"\\\n", "", int64(math.MinInt64), int64(math.MaxInt64), 1e-9)
	f.Fuzz(func(t *testing.T, name, email string, previous, current int64, percent float64) {
		if math.IsNaN(percent) || math.IsInf(percent, 0) {
			return // Compute never reports such a percent
		}
		p, c := diff.AmountFromMicros(previous), diff.AmountFromMicros(current)
		checkChangeJSON(t, diff.Change{
			Kind: diff.KindChanged, Period: name, OwnerID: email, Email: email, Name: name,
			Field: name, FieldName: email, Previous: &p, Current: &c, Delta: c, Percent: &percent,
			Direction: diff.Direction(name),
		})
	})
}
