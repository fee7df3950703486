package notify_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
)

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		in, currency, want string
	}{
		{"0", "", "0"},
		{"999", "USD", "USD 999"},
		{"1000", "USD", "USD 1,000"},
		{"1250000", "EUR", "EUR 1,250,000"},
		{"-1250000.5", "USD", "USD -1,250,000.50"},
		{"1234567.123456", "", "1,234,567.123456"},
		{"-0.1", "", "-0.10"},
		{"100000", "", "100,000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := notify.FormatAmount(diff.MustParseAmount(tt.in), tt.currency); got != tt.want {
				t.Errorf("FormatAmount(%s, %q) = %q, want %q", tt.in, tt.currency, got, tt.want)
			}
		})
	}
}

func TestPercentChange(t *testing.T) {
	tests := []struct {
		name, prev, delta string
		kind              diff.Kind
		percent           *float64
		want              string
		ok                bool
	}{
		{"ten percent", "1000", "100", diff.KindChanged, float(10), "+10.0 %", true},
		{"to zero", "250", "-250", diff.KindToZero, float(-100), "-100.0 %", true},
		{"third", "3", "1", diff.KindChanged, nil, "+33.3 %", true},
		{"half up", "2000", "1", diff.KindChanged, nil, "+0.1 %", true},
		{"half away from zero", "2000", "-1", diff.KindChanged, nil, "-0.1 %", true},
		{"negative previous", "-200", "100", diff.KindChanged, nil, "+50.0 %", true},
		{"tiny decrease keeps sign", "1000000", "-1", diff.KindChanged, nil, "-0.0 %", true},
		{"from zero", "0", "5", diff.KindFromZero, nil, "", false},
		{"added", "", "5", diff.KindAdded, nil, "", false},
		{"float fallback", "", "5", diff.KindChanged, float(12.25), "+12.3 %", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := diff.Change{Kind: tt.kind, Delta: diff.MustParseAmount(tt.delta), Percent: tt.percent}
			if tt.prev != "" {
				c.Previous = amount(tt.prev)
			}
			got, ok := notify.PercentChange(c)
			if got != tt.want || ok != tt.ok {
				t.Errorf("PercentChange = %q, %v, want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRenderReportText(t *testing.T) {
	m := notify.RenderReport(sampleReport(), &notify.RenderOptions{Currency: "USD", Stream: "Acme", Key: "k1"})
	want := `Forecast changes: Acme (2026-Q3)

2 values changed, 1 rep added (1 value), 1 rep removed (1 value). 40 values compared, 6 below the threshold.
  Period: 2026-Q3

Top changes
  ▲ Jane Doe (jane@example.com) · Commit: USD 1,000,000 → USD 1,100,000 (+10.0 %)
  ▼ Raj Patel (raj@example.com) · Best Case: USD 250,000.50 → USD 0 (-100.0 %)

Reps added
  Ana Lima (ana@example.com): Commit USD 50,000

Reps removed
  Bo Chen (bo@example.com): Commit USD 75,000
`
	if diff := cmp.Diff(want, m.PlainText()); diff != "" {
		t.Errorf("PlainText mismatch (-want +got):\n%s", diff)
	}
	if m.Key != "k1" {
		t.Errorf("Key = %q, want k1", m.Key)
	}
	if m.Report == nil {
		t.Error("Report is nil, want the source report")
	}
}

func TestRenderReportMore(t *testing.T) {
	m := notify.RenderReport(manyChanges(25), &notify.RenderOptions{MaxChanges: 3})
	lines := m.Sections[1].Lines
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 3 changes and a count: %q", len(lines), lines)
	}
	if lines[3] != "… and 22 more changes" {
		t.Errorf("last line = %q, want the count of the rest", lines[3])
	}
	all := notify.RenderReport(manyChanges(25), &notify.RenderOptions{MaxChanges: -1})
	if n := len(all.Sections[1].Lines); n != 25 {
		t.Errorf("MaxChanges -1 listed %d lines, want 25", n)
	}
	def := notify.RenderReport(manyChanges(25), nil)
	if n := len(def.Sections[1].Lines); n != notify.DefaultMaxChanges+1 {
		t.Errorf("default listed %d lines, want %d", n, notify.DefaultMaxChanges+1)
	}
}

func TestRenderReportCases(t *testing.T) {
	tests := []struct {
		name   string
		report *diff.Report
		opts   *notify.RenderOptions
		want   string
	}{
		{"period changed", &diff.Report{Periods: []string{"2026-Q4"}, PreviousPeriods: []string{"2026-Q3"}, PeriodChanged: true},
			nil, "The period changed from 2026-Q3 to 2026-Q4"},
		{"baseline", &diff.Report{Periods: []string{"2026-Q3"}}, &notify.RenderOptions{Baseline: true},
			"stored as the baseline"},
		{"no changes", &diff.Report{Periods: []string{"2026-Q3"}, Summary: diff.Summary{Compared: 7, Unchanged: 7}},
			nil, "No changes above the threshold (7 values compared)."},
		{"nil report", nil, nil, "No changes above the threshold"},
		{"title override", sampleReport(), &notify.RenderOptions{Title: "Weekly"}, "Weekly\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := notify.RenderReport(tt.report, tt.opts).PlainText()
			if !strings.Contains(text, tt.want) {
				t.Errorf("text %q does not contain %q", text, tt.want)
			}
		})
	}
}

func TestRenderReportDryRun(t *testing.T) {
	tests := []struct {
		name      string
		report    *diff.Report
		opts      notify.RenderOptions
		wantTitle string
		wantText  string
	}{
		{"baseline", &diff.Report{Periods: []string{"2026-Q3"}},
			notify.RenderOptions{Baseline: true, DryRun: true, Stream: "Acme"},
			"[Dry run] Forecast changes: Acme (2026-Q3)",
			"First export of this stream: would be stored as the baseline (dry run), nothing to compare yet."},
		{"changes", sampleReport(), notify.RenderOptions{DryRun: true},
			"[Dry run] Forecast changes (2026-Q3)",
			"2 values changed, 1 rep added (1 value), 1 rep removed (1 value). 40 values compared, 6 below the threshold."},
		{"title override", sampleReport(), notify.RenderOptions{DryRun: true, Title: "Weekly"},
			"[Dry run] Weekly", ""},
		{"period changed", &diff.Report{Periods: []string{"2026-Q4"}, PreviousPeriods: []string{"2026-Q3"}, PeriodChanged: true},
			notify.RenderOptions{DryRun: true},
			"[Dry run] Forecast changes (2026-Q4)",
			"The period changed from 2026-Q3 to 2026-Q4: this export would start a new baseline (dry run), so no changes are listed."},
		{"baseline without dry run", &diff.Report{Periods: []string{"2026-Q3"}},
			notify.RenderOptions{Baseline: true},
			"Forecast changes (2026-Q3)",
			"First export of this stream: stored as the baseline, nothing to compare yet."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := notify.RenderReport(tt.report, &tt.opts)
			if m.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", m.Title, tt.wantTitle)
			}
			if tt.wantText != "" && m.Text != tt.wantText {
				t.Errorf("Text = %q, want %q", m.Text, tt.wantText)
			}
			if !strings.HasPrefix(m.PlainText(), tt.wantTitle+"\n") {
				t.Errorf("PlainText does not start with the title %q:\n%s", tt.wantTitle, m.PlainText())
			}
		})
	}
}

// repValues returns the added or removed changes of one rep, one per field.
func repValues(kind diff.Kind, id string, fields ...string) []diff.Change {
	var cs []diff.Change
	for _, f := range fields {
		c := diff.Change{Kind: kind, Period: "2026-Q3", OwnerID: id, Name: "Rep " + id, Field: f}
		if kind == diff.KindAdded {
			c.Current = amount("1000")
		} else {
			c.Previous = amount("1000")
		}
		cs = append(cs, c)
	}
	return cs
}

func TestRenderReportSummary(t *testing.T) {
	fields := []string{"commit", "best_case", "pipeline", "closed"}
	tests := []struct {
		name    string
		changes []diff.Change
		summary diff.Summary
		want    string
	}{
		{"one rep added with four values", repValues(diff.KindAdded, "u1", fields...),
			diff.Summary{Compared: 8, Added: 4, Unchanged: 8},
			"1 rep added (4 values). 8 values compared, 0 below the threshold."},
		{"two reps removed", append(repValues(diff.KindRemoved, "u1", fields...), repValues(diff.KindRemoved, "u2", "commit")...),
			diff.Summary{Compared: 3, Removed: 5, Unchanged: 2, BelowThreshold: 1},
			"2 reps removed (5 values). 3 values compared, 1 below the threshold."},
		{"one value changed", manyChanges(1).Changes, diff.Summary{Compared: 1, Changed: 1},
			"1 value changed. 1 value compared, 0 below the threshold."},
		{"counts without changes", nil, diff.Summary{Compared: 2, Added: 3, Removed: 1},
			"3 values added, 1 value removed. 2 values compared, 0 below the threshold."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &diff.Report{Periods: []string{"2026-Q3"}, Changes: tt.changes, Summary: tt.summary}
			m := notify.RenderReport(r, nil)
			if m.Text != tt.want {
				t.Errorf("Text = %q, want %q", m.Text, tt.want)
			}
			if m.Report.Summary != tt.summary {
				t.Errorf("Report.Summary = %+v, want %+v", m.Report.Summary, tt.summary)
			}
		})
	}
}

func ExampleRenderReport() {
	previous := []diff.Row{
		{Period: "2026-Q3", OwnerID: "u1", Name: "Jane Doe", Field: "commit", FieldName: "Commit", Value: diff.MustParseAmount("1000000")},
		{Period: "2026-Q3", OwnerID: "u2", Name: "Raj Patel", Field: "commit", FieldName: "Commit", Value: diff.MustParseAmount("400000")},
	}
	current := []diff.Row{
		{Period: "2026-Q3", OwnerID: "u1", Name: "Jane Doe", Field: "commit", FieldName: "Commit", Value: diff.MustParseAmount("1250000")},
		{Period: "2026-Q3", OwnerID: "u2", Name: "Raj Patel", Field: "commit", FieldName: "Commit", Value: diff.MustParseAmount("300000")},
	}
	report, err := diff.Compute(previous, current, nil)
	if err != nil {
		panic(err)
	}
	m := notify.RenderReport(report, &notify.RenderOptions{Currency: "USD", Stream: "Acme"})
	os.Stdout.WriteString(m.PlainText())
	// Output:
	// Forecast changes: Acme (2026-Q3)
	//
	// 2 values changed. 2 values compared, 0 below the threshold.
	//   Period: 2026-Q3
	//
	// Top changes
	//   ▲ Jane Doe · Commit: USD 1,000,000 → USD 1,250,000 (+25.0 %)
	//   ▼ Raj Patel · Commit: USD 400,000 → USD 300,000 (-25.0 %)
}
