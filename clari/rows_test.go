package clari

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

func TestRowsFromTestdata(t *testing.T) {
	e, err := ReadFile("testdata/export.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Rows()
	if err != nil {
		t.Fatal(err)
	}
	want := []diff.Row{
		{Period: "2025_Q3", OwnerID: "1905", Email: "vp@example.com", Name: "Vic Manager",
			Field: "commit", FieldName: "Commit", Value: diff.MustParseAmount("3000190")},
		{Period: "2025_Q3", OwnerID: "2915", Email: "ana.rep@example.com", Name: "Ana Rep",
			Field: "best_case", FieldName: "Best Case", Value: diff.MustParseAmount("150000.5")},
		{Period: "2025_Q3", OwnerID: "2915", Email: "ana.rep@example.com", Name: "Ana Rep",
			Field: "commit", FieldName: "Commit", Value: diff.MustParseAmount("125000")},
		{Period: "2025_Q3", OwnerID: "7777", Field: "commit", FieldName: "Commit",
			Value: diff.MustParseAmount("5000")},
	}
	if diff := cmp.Diff(want, got, cmpAmount); diff != "" {
		t.Errorf("Rows (-want +got):\n%s", diff)
	}
	if p := e.Period(); p != "2025_Q3" {
		t.Errorf("Period() = %q, want 2025_Q3", p)
	}
}

// latestValue decodes an export of one user and field with the given
// entries and time frames and returns the value of its single row.
func latestValue(t *testing.T, entries, frames string) string {
	t.Helper()
	e, err := DecodeBytes([]byte(`{"timeFrames":[` + frames + `],"entries":[` + entries + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.Rows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want 1: %v", len(rows), rows)
	}
	return rows[0].Value.String()
}

func entryJSON(frame string, value string) string {
	return `{"timePeriodId":"P","userId":"u","fieldId":"f","timeFrameId":` + frame + `,"forecastValue":` + value + `}`
}

func TestRowsLatestTimeFrame(t *testing.T) {
	tests := []struct {
		name, entries, frames, want string
	}{
		{"numeric ids, 10 after 9",
			entryJSON(`"10"`, "10") + "," + entryJSON(`"9"`, "9"), ``, "10"},
		{"numeric ids as numbers",
			entryJSON(`9`, "9") + "," + entryJSON(`10`, "10"), ``, "10"},
		{"leading zeros",
			entryJSON(`"010"`, "10") + "," + entryJSON(`"9"`, "9"), ``, "10"},
		{"null value skipped",
			entryJSON(`"1"`, "1") + "," + entryJSON(`"2"`, "null"), ``, "1"},
		{"absent value skipped",
			entryJSON(`"1"`, "1") + `,{"timePeriodId":"P","userId":"u","fieldId":"f","timeFrameId":"2"}`, ``, "1"},
		{"by start date",
			entryJSON(`"wk-b"`, "1") + "," + entryJSON(`"wk-a"`, "2"),
			`{"timeFrameId":"wk-a","startDate":"2025-08-08"},{"timeFrameId":"wk-b","startDate":"2025-08-01"}`, "2"},
		{"as strings without dates",
			entryJSON(`"wk-b"`, "1") + "," + entryJSON(`"wk-a"`, "2"), ``, "1"},
		{"same frame, later entry wins",
			entryJSON(`"3"`, "1") + "," + entryJSON(`"3"`, "2"), ``, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := latestValue(t, tt.entries, tt.frames); got != tt.want {
				t.Errorf("value = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRowsMissingKey(t *testing.T) {
	e, err := DecodeBytes([]byte(`{"entries":[{"timePeriodId":"P","fieldId":"f","forecastValue":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Rows()
	if err == nil || !strings.Contains(err.Error(), "entries[0]") || !strings.Contains(err.Error(), "userId") {
		t.Errorf("Rows error = %v, want one naming entries[0] and userId", err)
	}
}

func TestRowsFieldNameFallback(t *testing.T) {
	e, err := DecodeBytes([]byte(`{"entries":[` + entryJSON(`"1"`, "1") + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.Rows()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].FieldName != "f" {
		t.Errorf("FieldName = %q, want the field id %q", rows[0].FieldName, "f")
	}
}

func TestPeriodFallback(t *testing.T) {
	tests := []struct {
		name string
		e    Export
		want string
	}{
		{"timePeriods first", Export{TimePeriods: []TimePeriod{{TimePeriodID: "A"}}, Entries: []Entry{{TimePeriodID: "B"}}}, "A"},
		{"first entry", Export{Entries: []Entry{{TimePeriodID: "B"}}}, "B"},
		{"empty", Export{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Period(); got != tt.want {
				t.Errorf("Period() = %q, want %q", got, tt.want)
			}
		})
	}
}
