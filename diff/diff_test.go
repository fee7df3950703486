package diff_test

import (
	stdcmp "cmp"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

// row builds a row in period Q1 for owner email and field "commit".
func row(email, value string) diff.Row {
	return diff.Row{
		Period:    "Q1",
		Email:     email,
		Name:      strings.ToUpper(email[:1]) + email[1:strings.IndexByte(email, '@')],
		Field:     "commit",
		FieldName: "Commit",
		Value:     diff.MustParseAmount(value),
	}
}

func amount(s string) *diff.Amount {
	a := diff.MustParseAmount(s)
	return &a
}

func percent(f float64) *float64 { return &f }

// changeOf builds the expected Change for a row made by row.
func changeOf(kind diff.Kind, email, prev, cur, delta string, pct *float64, dir diff.Direction) diff.Change {
	c := diff.Change{
		Kind:      kind,
		Period:    "Q1",
		Email:     email,
		Name:      row(email, "0").Name,
		Field:     "commit",
		FieldName: "Commit",
		Delta:     diff.MustParseAmount(delta),
		Percent:   pct,
		Direction: dir,
	}
	if prev != "" {
		c.Previous = amount(prev)
	}
	if cur != "" {
		c.Current = amount(cur)
	}
	return c
}

func mustCompute(t *testing.T, previous, current []diff.Row, opts *diff.Options) *diff.Report {
	t.Helper()
	r, err := diff.Compute(previous, current, opts)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return r
}

func TestComputeKinds(t *testing.T) {
	tests := []struct {
		name    string
		prev    []diff.Row
		cur     []diff.Row
		want    []diff.Change
		summary diff.Summary
	}{
		{
			name:    "changed up",
			prev:    []diff.Row{row("a@x.com", "100")},
			cur:     []diff.Row{row("a@x.com", "150")},
			want:    []diff.Change{changeOf(diff.KindChanged, "a@x.com", "100", "150", "50", percent(50), diff.Increased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
		{
			name:    "changed down",
			prev:    []diff.Row{row("a@x.com", "200")},
			cur:     []diff.Row{row("a@x.com", "150")},
			want:    []diff.Change{changeOf(diff.KindChanged, "a@x.com", "200", "150", "-50", percent(-25), diff.Decreased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
		{
			name:    "from zero has no percent",
			prev:    []diff.Row{row("a@x.com", "0")},
			cur:     []diff.Row{row("a@x.com", "500000")},
			want:    []diff.Change{changeOf(diff.KindFromZero, "a@x.com", "0", "500000", "500000", nil, diff.Increased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
		{
			name:    "to zero is minus 100 percent",
			prev:    []diff.Row{row("a@x.com", "80")},
			cur:     []diff.Row{row("a@x.com", "0")},
			want:    []diff.Change{changeOf(diff.KindToZero, "a@x.com", "80", "0", "-80", percent(-100), diff.Decreased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
		{
			name:    "added",
			cur:     []diff.Row{row("a@x.com", "70")},
			want:    []diff.Change{changeOf(diff.KindAdded, "a@x.com", "", "70", "70", nil, diff.Increased)},
			summary: diff.Summary{Added: 1},
		},
		{
			name:    "removed",
			prev:    []diff.Row{row("a@x.com", "70")},
			want:    []diff.Change{changeOf(diff.KindRemoved, "a@x.com", "70", "", "-70", nil, diff.Decreased)},
			summary: diff.Summary{Removed: 1},
		},
		{
			name:    "added zero is still added",
			prev:    []diff.Row{row("b@x.com", "1")},
			cur:     []diff.Row{row("b@x.com", "1"), row("a@x.com", "0")},
			want:    []diff.Change{changeOf(diff.KindAdded, "a@x.com", "", "0", "0", nil, diff.Increased)},
			summary: diff.Summary{Compared: 1, Unchanged: 1, Added: 1},
		},
		{
			name:    "zero to zero is unchanged",
			prev:    []diff.Row{row("a@x.com", "0")},
			cur:     []diff.Row{row("a@x.com", "0.000")},
			want:    []diff.Change{},
			summary: diff.Summary{Compared: 1, Unchanged: 1},
		},
		{
			name:    "equal values are unchanged",
			prev:    []diff.Row{row("a@x.com", "12.50")},
			cur:     []diff.Row{row("a@x.com", "12.5")},
			want:    []diff.Change{},
			summary: diff.Summary{Compared: 1, Unchanged: 1},
		},
		{
			name:    "negative previous uses magnitude",
			prev:    []diff.Row{row("a@x.com", "-100")},
			cur:     []diff.Row{row("a@x.com", "-50")},
			want:    []diff.Change{changeOf(diff.KindChanged, "a@x.com", "-100", "-50", "50", percent(50), diff.Increased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
		{
			name:    "negative previous falling",
			prev:    []diff.Row{row("a@x.com", "-100")},
			cur:     []diff.Row{row("a@x.com", "-150")},
			want:    []diff.Change{changeOf(diff.KindChanged, "a@x.com", "-100", "-150", "-50", percent(-50), diff.Decreased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
		{
			name:    "negative to zero rises 100 percent",
			prev:    []diff.Row{row("a@x.com", "-40")},
			cur:     []diff.Row{row("a@x.com", "0")},
			want:    []diff.Change{changeOf(diff.KindToZero, "a@x.com", "-40", "0", "40", percent(100), diff.Increased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
		{
			name:    "sign crossing",
			prev:    []diff.Row{row("a@x.com", "-100")},
			cur:     []diff.Row{row("a@x.com", "50")},
			want:    []diff.Change{changeOf(diff.KindChanged, "a@x.com", "-100", "50", "150", percent(150), diff.Increased)},
			summary: diff.Summary{Compared: 1, Changed: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustCompute(t, tt.prev, tt.cur, nil)
			if diff := cmp.Diff(tt.want, got.Changes); diff != "" {
				t.Errorf("Changes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.summary, got.Summary); diff != "" {
				t.Errorf("Summary mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeThresholds(t *testing.T) {
	prev := []diff.Row{row("a@x.com", "1234.50")}
	tests := []struct {
		name    string
		cur     string
		opts    *diff.Options
		alerted bool
	}{
		{"exactly 10 percent alerts", "1357.95", nil, true},
		{"just under 10 percent", "1357.949999", nil, false},
		{"exactly 10 percent down alerts", "1111.05", nil, true},
		{"just under 10 percent down", "1111.050001", nil, false},
		{"custom percent", "1296.225", &diff.Options{Threshold: diff.Threshold{Percent: diff.Percent(5)}}, true},
		{"fractional percent just under", "1296.224999",
			&diff.Options{Threshold: diff.Threshold{Percent: amount("5")}}, false},
		{"zero percent alerts any move", "1234.500001",
			&diff.Options{Threshold: diff.Threshold{Percent: diff.Percent(0)}}, true},
		{"min change not met", "1500",
			&diff.Options{Threshold: diff.Threshold{MinChange: amount("300")}}, false},
		{"min change met exactly", "1534.50",
			&diff.Options{Threshold: diff.Threshold{MinChange: amount("300")}}, true},
		{"percent met min change not", "1400",
			&diff.Options{Threshold: diff.Threshold{MinChange: amount("1000")}}, false},
		{"min change met percent not", "1300",
			&diff.Options{Threshold: diff.Threshold{MinChange: amount("10")}}, false},
		{"direction up keeps rises", "2000", &diff.Options{Direction: diff.Up}, true},
		{"direction up drops falls", "1000", &diff.Options{Direction: diff.Up}, false},
		{"direction down keeps falls", "1000", &diff.Options{Direction: diff.Down}, true},
		{"direction down drops rises", "2000", &diff.Options{Direction: diff.Down}, false},
		{"field override wins", "1300",
			&diff.Options{Fields: map[string]diff.Threshold{"commit": {Percent: diff.Percent(5)}}}, true},
		{"other field override ignored", "1300",
			&diff.Options{Fields: map[string]diff.Threshold{"best": {Percent: diff.Percent(5)}}}, false},
		{"override inherits min change", "1400", &diff.Options{
			Threshold: diff.Threshold{MinChange: amount("1000")},
			Fields:    map[string]diff.Threshold{"commit": {Percent: diff.Percent(5)}},
		}, false},
		{"to zero fails percent above 100", "0",
			&diff.Options{Threshold: diff.Threshold{Percent: diff.Percent(101)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustCompute(t, prev, []diff.Row{row("a@x.com", tt.cur)}, tt.opts)
			want := diff.Summary{Compared: 1, BelowThreshold: 1}
			if tt.alerted {
				want = diff.Summary{Compared: 1, Changed: 1}
			}
			if diff := cmp.Diff(want, got.Summary); diff != "" {
				t.Errorf("Summary mismatch (-want +got):\n%s", diff)
			}
			if len(got.Changes) != want.Changed {
				t.Errorf("got %d changes, want %d", len(got.Changes), want.Changed)
			}
		})
	}
}

func TestComputeAbsoluteOnlyKinds(t *testing.T) {
	opts := &diff.Options{Threshold: diff.Threshold{Percent: diff.Percent(1000), MinChange: amount("100")}}
	prev := []diff.Row{row("a@x.com", "0"), row("b@x.com", "0"), row("c@x.com", "100"), row("d@x.com", "99")}
	cur := []diff.Row{row("a@x.com", "100"), row("b@x.com", "99.99"), row("e@x.com", "100"), row("f@x.com", "-99")}
	got := mustCompute(t, prev, cur, opts)
	// Equal |delta| of 100, so the emails decide the order.
	want := []diff.Change{
		changeOf(diff.KindFromZero, "a@x.com", "0", "100", "100", nil, diff.Increased),
		changeOf(diff.KindRemoved, "c@x.com", "100", "", "-100", nil, diff.Decreased),
		changeOf(diff.KindAdded, "e@x.com", "", "100", "100", nil, diff.Increased),
	}
	if diff := cmp.Diff(want, got.Changes); diff != "" {
		t.Errorf("Changes mismatch (-want +got):\n%s", diff)
	}
	wantSummary := diff.Summary{Compared: 2, Changed: 1, Added: 1, Removed: 1, BelowThreshold: 3}
	if diff := cmp.Diff(wantSummary, got.Summary); diff != "" {
		t.Errorf("Summary mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeDirectionFiltersAddedRemoved(t *testing.T) {
	prev := []diff.Row{row("a@x.com", "10")}
	cur := []diff.Row{row("b@x.com", "10")}
	up := mustCompute(t, prev, cur, &diff.Options{Direction: diff.Up})
	if diff := cmp.Diff(diff.Summary{Added: 1, BelowThreshold: 1}, up.Summary); diff != "" {
		t.Errorf("Up summary mismatch (-want +got):\n%s", diff)
	}
	down := mustCompute(t, prev, cur, &diff.Options{Direction: diff.Down})
	if diff := cmp.Diff(diff.Summary{Removed: 1, BelowThreshold: 1}, down.Summary); diff != "" {
		t.Errorf("Down summary mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeOwnerKey(t *testing.T) {
	t.Run("email trimmed and lower-cased", func(t *testing.T) {
		prev := []diff.Row{row("Ann@X.com", "100")}
		cur := []diff.Row{row("  ann@x.COM ", "100")}
		got := mustCompute(t, prev, cur, nil)
		if diff := cmp.Diff(diff.Summary{Compared: 1, Unchanged: 1}, got.Summary); diff != "" {
			t.Errorf("Summary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("display keeps current spelling", func(t *testing.T) {
		prev := []diff.Row{row("Ann@X.com", "100")}
		cur := []diff.Row{row("ANN@x.com", "200")}
		got := mustCompute(t, prev, cur, nil)
		if len(got.Changes) != 1 || got.Changes[0].Email != "ANN@x.com" {
			t.Errorf("Changes = %+v, want one change showing ANN@x.com", got.Changes)
		}
	})
	t.Run("owner id wins over email", func(t *testing.T) {
		p, c := row("old@x.com", "100"), row("new@x.com", "200")
		p.OwnerID, c.OwnerID = "u1", "u1"
		got := mustCompute(t, []diff.Row{p}, []diff.Row{c}, nil)
		if diff := cmp.Diff(diff.Summary{Compared: 1, Changed: 1}, got.Summary); diff != "" {
			t.Errorf("Summary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("email lower-cased as strings.ToLower does", func(t *testing.T) {
		pairs := [][2]string{
			{"JOSÉ@x.com", "josé@x.com"},
			{"kate@x.com", "\u212Aate@x.com"}, // KELVIN SIGN lowers to k
			{"a\xff@x.com", "A\uFFFD@x.com"},  // invalid UTF-8 lowers to U+FFFD
		}
		for _, p := range pairs {
			prev := []diff.Row{{Period: "Q1", Email: p[0], Field: "commit", Value: diff.MustParseAmount("1")}}
			cur := []diff.Row{{Period: "Q1", Email: p[1], Field: "commit", Value: diff.MustParseAmount("1")}}
			got := mustCompute(t, prev, cur, nil)
			if diff := cmp.Diff(diff.Summary{Compared: 1, Unchanged: 1}, got.Summary); diff != "" {
				t.Errorf("%q and %q: Summary mismatch (-want +got):\n%s", p[0], p[1], diff)
			}
		}
	})
	t.Run("id never matches an email", func(t *testing.T) {
		p, c := row("a@x.com", "100"), row("b@x.com", "100")
		c.OwnerID = "a@x.com"
		got := mustCompute(t, []diff.Row{p}, []diff.Row{c}, nil)
		if diff := cmp.Diff(diff.Summary{Added: 1, Removed: 1}, got.Summary); diff != "" {
			t.Errorf("Summary mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestComputeDuplicateKeys(t *testing.T) {
	dup := []diff.Row{
		row("a@x.com", "1"), row(" A@x.com", "2"), row("a@x.com ", "3"),
		row("b@x.com", "1"), row("b@x.com", "1"), row("c@x.com", "1"),
	}
	clean := []diff.Row{row("a@x.com", "1")}
	tests := []struct {
		name      string
		prev, cur []diff.Row
		table     string
	}{
		{"previous", dup, clean, "previous"},
		{"current", clean, dup, "current"},
		{"both reports previous", dup, dup, "previous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := diff.Compute(tt.prev, tt.cur, nil)
			var de *diff.DuplicateKeyError
			if !errors.As(err, &de) {
				t.Fatalf("error = %v, want *DuplicateKeyError", err)
			}
			if !errors.Is(err, diff.ErrDuplicateKey) {
				t.Errorf("error does not match ErrDuplicateKey")
			}
			want := &diff.DuplicateKeyError{Table: tt.table, Keys: []diff.DuplicateKey{
				{Period: "Q1", Owner: "a@x.com", Field: "commit", Count: 3},
				{Period: "Q1", Owner: "b@x.com", Field: "commit", Count: 2},
			}}
			if diff := cmp.Diff(want, de); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			for _, s := range []string{tt.table, `"a@x.com"`, "3 rows", `"b@x.com"`, "2 rows"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
		})
	}
}

func TestComputeDuplicateAddedKey(t *testing.T) {
	cur := []diff.Row{row("n@x.com", "1"), row("N@x.com", "2")}
	_, err := diff.Compute([]diff.Row{row("a@x.com", "1")}, cur, nil)
	var de *diff.DuplicateKeyError
	if !errors.As(err, &de) {
		t.Fatalf("error = %v, want *DuplicateKeyError", err)
	}
	want := []diff.DuplicateKey{{Period: "Q1", Owner: "n@x.com", Field: "commit", Count: 2}}
	if diff := cmp.Diff(want, de.Keys); diff != "" {
		t.Errorf("Keys mismatch (-want +got):\n%s", diff)
	}
}

func TestDuplicateKeyErrorListsTen(t *testing.T) {
	var rows []diff.Row
	for i := range 12 {
		r := row("a@x.com", "1")
		r.Field = string(rune('a' + i))
		rows = append(rows, r, r)
	}
	_, err := diff.Compute(rows, nil, nil)
	if err == nil {
		t.Fatal("Compute accepted duplicates")
	}
	if !strings.Contains(err.Error(), "and 2 more") {
		t.Errorf("error %q does not cut the list after ten keys", err)
	}
}

func inPeriod(r diff.Row, period string) diff.Row {
	r.Period = period
	return r
}

func TestComputePeriods(t *testing.T) {
	t.Run("no common period", func(t *testing.T) {
		prev := []diff.Row{row("a@x.com", "100"), row("b@x.com", "5")}
		cur := []diff.Row{inPeriod(row("a@x.com", "0"), "Q2")}
		got := mustCompute(t, prev, cur, nil)
		want := &diff.Report{
			Periods:         []string{"Q2"},
			PeriodChanged:   true,
			PreviousPeriods: []string{"Q1"},
			Changes:         []diff.Change{},
			Summary:         diff.Summary{OtherPeriods: 3},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Report mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("partial overlap compares shared periods", func(t *testing.T) {
		prev := []diff.Row{row("a@x.com", "100"), inPeriod(row("a@x.com", "100"), "Q0")}
		cur := []diff.Row{row("a@x.com", "200"), inPeriod(row("b@x.com", "7"), "Q2")}
		got := mustCompute(t, prev, cur, nil)
		if got.PeriodChanged {
			t.Error("PeriodChanged = true, want false")
		}
		if diff := cmp.Diff([]string{"Q1", "Q2"}, got.Periods); diff != "" {
			t.Errorf("Periods mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"Q0", "Q1"}, got.PreviousPeriods); diff != "" {
			t.Errorf("PreviousPeriods mismatch (-want +got):\n%s", diff)
		}
		want := diff.Summary{Compared: 1, Changed: 1, OtherPeriods: 2}
		if diff := cmp.Diff(want, got.Summary); diff != "" {
			t.Errorf("Summary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("same key in two periods", func(t *testing.T) {
		prev := []diff.Row{row("a@x.com", "100"), inPeriod(row("a@x.com", "100"), "Q2")}
		cur := []diff.Row{row("a@x.com", "100"), inPeriod(row("a@x.com", "300"), "Q2")}
		got := mustCompute(t, prev, cur, nil)
		if len(got.Changes) != 1 || got.Changes[0].Period != "Q2" {
			t.Errorf("Changes = %+v, want one change in Q2", got.Changes)
		}
	})
	t.Run("empty previous adds everything", func(t *testing.T) {
		got := mustCompute(t, nil, []diff.Row{inPeriod(row("a@x.com", "1"), "Q9")}, nil)
		if diff := cmp.Diff(diff.Summary{Added: 1}, got.Summary); diff != "" {
			t.Errorf("Summary mismatch (-want +got):\n%s", diff)
		}
		if got.PeriodChanged {
			t.Error("PeriodChanged = true, want false")
		}
	})
	t.Run("both empty", func(t *testing.T) {
		got := mustCompute(t, nil, nil, nil)
		want := &diff.Report{Periods: []string{}, PreviousPeriods: []string{}, Changes: []diff.Change{}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Report mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestComputeOrder(t *testing.T) {
	prev := []diff.Row{
		row("p1@x.com", "100"), row("p2@x.com", "100"), row("p3@x.com", "1000"),
		row("p4@x.com", "200"), row("z1@x.com", "0"), row("gone@x.com", "50"),
		row("tie-b@x.com", "100"), row("tie-a@x.com", "100"),
	}
	cur := []diff.Row{
		row("p1@x.com", "120"),  // +20 %
		row("p2@x.com", "50"),   // -50 %
		row("p3@x.com", "1250"), // +25 %
		row("p4@x.com", "0"),    // -100 %
		row("z1@x.com", "30"),   // from zero, delta 30
		row("new@x.com", "500"), // added, delta 500
		row("tie-b@x.com", "150"),
		row("tie-a@x.com", "50"),
	}
	got := mustCompute(t, prev, cur, nil)
	var order []string
	for _, c := range got.Changes {
		order = append(order, c.Email)
	}
	want := []string{
		"new@x.com", "gone@x.com", "z1@x.com", // no percent, by |delta|
		"p4@x.com", "p2@x.com", "tie-a@x.com", "tie-b@x.com", "p3@x.com", "p1@x.com",
	}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeOrderExactPercent(t *testing.T) {
	// 1/3 and 333333/1000000 differ only in the seventh significant digit,
	// and the exact comparison must still put the larger first.
	prev := []diff.Row{row("a@x.com", "3"), row("b@x.com", "1")}
	cur := []diff.Row{row("a@x.com", "4"), row("b@x.com", "1.333333")}
	got := mustCompute(t, prev, cur, nil)
	if len(got.Changes) != 2 || got.Changes[0].Email != "a@x.com" {
		t.Errorf("Changes = %+v, want a@x.com (+33.33...%%) first", got.Changes)
	}
}

func TestComputeOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opts *diff.Options
		text string
	}{
		{"negative percent", &diff.Options{Threshold: diff.Threshold{Percent: diff.Percent(-1)}}, "Threshold.Percent is -1"},
		{"negative min change", &diff.Options{Threshold: diff.Threshold{MinChange: amount("-5")}}, "Threshold.MinChange is -5"},
		{"negative field override", &diff.Options{Fields: map[string]diff.Threshold{"best": {Percent: diff.Percent(-2)}}},
			`Fields["best"].Percent is -2`},
		{"unknown direction", &diff.Options{Direction: 7}, "Direction 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := diff.Compute(nil, nil, tt.opts)
			if !errors.Is(err, diff.ErrOptions) {
				t.Fatalf("error = %v, want ErrOptions", err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
		})
	}
}

func TestComputeDeltaOutOfRange(t *testing.T) {
	prev := []diff.Row{row("a@x.com", "-9000000000000")}
	cur := []diff.Row{row("a@x.com", "9000000000000")}
	_, err := diff.Compute(prev, cur, nil)
	if !errors.Is(err, diff.ErrAmount) {
		t.Fatalf("error = %v, want ErrAmount", err)
	}
	if !strings.Contains(err.Error(), "a@x.com") {
		t.Errorf("error %q does not name the key", err)
	}
	_, err = diff.Compute([]diff.Row{row("a@x.com", "-9223372036854.775808")}, nil, nil)
	if !errors.Is(err, diff.ErrAmount) {
		t.Errorf("removing the minimum amount: error = %v, want ErrAmount", err)
	}
}

func TestChangePercentString(t *testing.T) {
	tests := []struct {
		prev, cur string
		want      string
	}{
		{"1234.50", "1357.95", "+10.0%"},
		{"100", "109.95", "+10.0%"}, // exactly 9.95 rounds away from zero
		{"100", "109.949999", "+9.9%"},
		{"100", "90.05", "-10.0%"},
		{"100", "0", "-100.0%"},
		{"-100", "-50", "+50.0%"},
		{"3", "3.001", "+0.0%"},
		{"1000000", "1000000.5", "+0.0%"},
		{"0.000001", "9000000000000", "+899999999999999999900.0%"},
	}
	for _, tt := range tests {
		t.Run(tt.prev+" to "+tt.cur, func(t *testing.T) {
			got := mustCompute(t, []diff.Row{row("a@x.com", tt.prev)}, []diff.Row{row("a@x.com", tt.cur)},
				&diff.Options{Threshold: diff.Threshold{Percent: diff.Percent(0)}})
			if len(got.Changes) != 1 {
				t.Fatalf("got %d changes, want 1", len(got.Changes))
			}
			if s := got.Changes[0].PercentString(); s != tt.want {
				t.Errorf("PercentString() = %q, want %q", s, tt.want)
			}
		})
	}
	if s := (diff.Change{Kind: diff.KindAdded}).PercentString(); s != "" {
		t.Errorf("PercentString() of an added change = %q, want empty", s)
	}
}

func TestReportJSON(t *testing.T) {
	got := mustCompute(t,
		[]diff.Row{row("a@x.com", "1234.50"), row("b@x.com", "9")},
		[]diff.Row{row("a@x.com", "1357.95")}, nil)
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"periods":["Q1"],"periodChanged":false,"previousPeriods":["Q1"],"changes":[` +
		`{"kind":"removed","period":"Q1","ownerId":"","email":"b@x.com","name":"B","field":"commit",` +
		`"fieldName":"Commit","previous":9,"current":null,"delta":-9,"percent":null,"direction":"decreased"},` +
		`{"kind":"changed","period":"Q1","ownerId":"","email":"a@x.com","name":"A","field":"commit",` +
		`"fieldName":"Commit","previous":1234.5,"current":1357.95,"delta":123.45,"percent":10,"direction":"increased"}],` +
		`"summary":{"compared":1,"changed":1,"added":0,"removed":1,"unchanged":0,"belowThreshold":0,"otherPeriods":0}}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
	var back diff.Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, &back); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}
}

// shuffled returns a shuffled copy of rows.
func shuffled(rng *rand.Rand, rows []diff.Row) []diff.Row {
	out := append([]diff.Row(nil), rows...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestCompareKeysOrder(t *testing.T) {
	ordered := []diff.Row{
		{Period: "Q1", Email: "ann@x.com", Field: "commit"},
		{Period: "Q1", Email: " Bob@X.com", Field: "best"},
		{Period: "Q1", Email: "bob@x.com", Field: "commit"},
		{Period: "Q1", OwnerID: "a", Email: "zed@x.com", Field: "commit"},
		{Period: "Q1", OwnerID: "b", Email: "ann@x.com", Field: "commit"},
		{Period: "Q2", Email: "ann@x.com", Field: "commit"},
	}
	for i := range ordered {
		for j := range ordered {
			got := diff.CompareKeys(&ordered[i], &ordered[j])
			if want := stdcmp.Compare(i, j); got != want {
				t.Errorf("CompareKeys(row %d, row %d) = %d, want %d", i, j, got, want)
			}
		}
	}
	same := diff.Row{Period: "Q1", Email: "BOB@x.com\t", Field: "commit"}
	if got := diff.CompareKeys(&ordered[2], &same); got != 0 {
		t.Errorf("CompareKeys of emails that differ in case and space = %d, want 0", got)
	}
}

func TestComputeSortedTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	previous, current := benchTables(5000, rng)
	want := mustCompute(t, shuffled(rng, previous), shuffled(rng, current), nil)
	got := mustCompute(t, sortedRows(previous), sortedRows(current), nil)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("sorted tables gave another report (-shuffled +sorted):\n%s", diff)
	}
	if len(want.Changes) == 0 || want.Summary.Added == 0 || want.Summary.Removed == 0 {
		t.Fatalf("generated tables lack changes, additions or removals: %+v", want.Summary)
	}
}

func TestComputeSortedDuplicate(t *testing.T) {
	previous := []diff.Row{
		{Period: "Q1", Email: "ann@x.com", Field: "commit", Value: *amount("1")},
		{Period: "Q1", Email: "Ann@x.com", Field: "commit", Value: *amount("2")},
		{Period: "Q1", Email: "bob@x.com", Field: "commit", Value: *amount("3")},
	}
	current := sortedRows(previous[1:])
	_, err := diff.Compute(previous, current, nil)
	var dup *diff.DuplicateKeyError
	if !errors.As(err, &dup) {
		t.Fatalf("Compute on sorted rows with a repeated key: error = %v, want *DuplicateKeyError", err)
	}
	if dup.Table != "previous" || len(dup.Keys) != 1 || dup.Keys[0].Owner != "ann@x.com" || dup.Keys[0].Count != 2 {
		t.Errorf("DuplicateKeyError = %+v, want previous table, owner ann@x.com in 2 rows", dup)
	}
}
