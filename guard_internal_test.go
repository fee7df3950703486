package clariwatch

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
)

func TestMissingOwners(t *testing.T) {
	row := func(period, id, email, field string) diff.Row {
		return diff.Row{Period: period, OwnerID: id, Email: email, Field: field}
	}
	previous := diff.Rows{
		row("Q1", "a", "", "best"), row("Q1", "a", "", "commit"),
		row("Q1", "b", "", "commit"),
		row("Q1", "c", "", "best"), row("Q1", "c", "", "commit"),
		row("Q2", "a", "", "commit"),
		row("Q2", "d", "", "commit"),
	}
	tests := []struct {
		name           string
		current        diff.Rows
		owners, absent int
	}{
		{"all present", previous, 5, 0},
		{"none present", nil, 5, 5},
		{"one field left", diff.Rows{row("Q1", "a", "", "best"), row("Q1", "b", "", "x"), row("Q1", "c", "", "x"),
			row("Q2", "a", "", "x"), row("Q2", "d", "", "x")}, 5, 0},
		{"other period only", diff.Rows{row("Q1", "d", "", "commit"), row("Q2", "b", "", "commit")}, 5, 5},
		{"some gone", diff.Rows{row("Q1", "b", "", "commit"), row("Q2", "a", "", "commit"), row("Q3", "a", "", "x")}, 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owners, missing := missingOwners(previous, tt.current)
			if owners != tt.owners {
				t.Errorf("owners = %d, want %d", owners, tt.owners)
			}
			if missing != tt.absent {
				t.Errorf("missing = %d, want %d", missing, tt.absent)
			}
		})
	}
}

func TestMissingOwnersByEmail(t *testing.T) {
	previous := diff.Rows{{Period: "Q1", Email: "ann@x.com", Field: "f"}, {Period: "Q1", Email: "bo@x.com", Field: "f"}}
	current := diff.Rows{{Period: "Q1", Email: " ANN@x.com", Field: "f"}}
	owners, missing := missingOwners(previous, current)
	if owners != 2 || missing != 1 {
		t.Errorf("missingOwners = %d owners, %d missing; want 2 and 1 (emails compare trimmed and lower-cased)", owners, missing)
	}
}

func TestMayLackOwnersBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	owners := []string{"a", "b", "c", "d"}
	periods := []string{"Q1", "Q2"}
	randomTable := func() diff.Rows {
		var rows diff.Rows
		for _, p := range periods {
			for _, o := range owners {
				for _, f := range []string{"best", "commit"} {
					if rng.IntN(3) > 0 {
						rows = append(rows, diff.Row{Period: p, OwnerID: o, Field: f, Value: diff.AmountFromMicros(rng.Int64N(3))})
					}
				}
			}
		}
		return rows
	}
	for range 5000 {
		previous, current := randomTable(), randomTable()
		opts := &diff.Options{Direction: diff.Filter(rng.IntN(3))}
		report, err := diff.ComputeTables(previous, current, opts)
		if err != nil {
			t.Fatal(err)
		}
		_, missing := missingOwners(previous, current)
		if missing > 0 && !mayLackOwners(report.Summary) {
			t.Fatalf("mayLackOwners(%+v) = false, but %d owners are missing\nprevious %v\ncurrent %v",
				report.Summary, missing, previous, current)
		}
	}
}

func TestSuspiciousExportErrorDryRun(t *testing.T) {
	err := &SuspiciousExportError{HeadID: "h1", HeadOwners: 3, Missing: 2, MaxShare: 0.5}
	if msg := err.Error(); !strings.Contains(msg, "the export lacks 2 of the 3 owners") {
		t.Errorf("error of a dry run, which stores no snapshot = %q, want it to name the export", msg)
	}
}
