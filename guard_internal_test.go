package clariwatch

import (
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
