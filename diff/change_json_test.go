package diff_test

import (
	"encoding/json"
	"math"
	"strings"
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
			return // json.Marshal rejects them; TestChangeAppendJSONNonFinite covers them
		}
		p, c := diff.AmountFromMicros(previous), diff.AmountFromMicros(current)
		checkChangeJSON(t, diff.Change{
			Kind: diff.KindChanged, Period: name, OwnerID: email, Email: email, Name: name,
			Field: name, FieldName: email, Previous: &p, Current: &c, Delta: c, Percent: &percent,
			Direction: diff.Direction(name),
		})
	})
}

func TestChangeAppendJSONNonFinite(t *testing.T) {
	for _, p := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		c := diff.Change{Kind: diff.KindChanged, Percent: &p}
		got := c.AppendJSON(nil)
		if !json.Valid(got) {
			t.Errorf("AppendJSON with percent %v wrote invalid JSON %s", p, got)
		}
		if !strings.Contains(string(got), `"percent":null`) {
			t.Errorf("AppendJSON with percent %v = %s, want \"percent\":null", p, got)
		}
	}
}

type annotatedChange struct {
	diff.Change
	Team string `json:"team"`
}

func TestChangeEmbeddedJSONKeepsFields(t *testing.T) {
	b, err := json.Marshal(annotatedChange{Change: diff.Change{Kind: diff.KindAdded}, Team: "EMEA"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"team":"EMEA"`) {
		t.Errorf("a struct that embeds Change encodes as %s, without its own field", b)
	}
}
