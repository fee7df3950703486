package diff_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
)

// ownerCSV is a diff.Table over lines of "email,amount" in one period. It
// builds each row from its line when asked, so the table holds no
// []diff.Row.
type ownerCSV []string

func (t ownerCSV) Len() int { return len(t) }

func (t ownerCSV) Row(i int) diff.Row {
	email, amount, _ := strings.Cut(t[i], ",")
	return diff.Row{Period: "FY26Q3", Email: email, Field: "commit", Value: diff.MustParseAmount(amount)}
}

func ExampleComputeTables() {
	previous := ownerCSV{"ann@example.com,100", "bob@example.com,50"}
	current := ownerCSV{"ann@example.com,100", "bob@example.com,80", "cy@example.com,10"}
	report, err := diff.ComputeTables(previous, current, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range report.Changes {
		fmt.Println(c.Kind, c.Email, c.Delta)
	}
	fmt.Printf("%+v\n", report.Summary)
	// Output:
	// added cy@example.com 10
	// changed bob@example.com 30
	// {Compared:2 Changed:1 Added:1 Removed:0 Unchanged:1 BelowThreshold:0 OtherPeriods:0}
}

func ExampleCompareKeys() {
	rows := []diff.Row{
		{Period: "FY26Q3", Email: "Cy@example.com", Field: "commit"},
		{Period: "FY26Q3", OwnerID: "0042", Field: "commit"},
		{Period: "FY26Q3", Email: "ann@example.com", Field: "pipeline"},
		{Period: "FY26Q3", Email: "ann@example.com", Field: "commit"},
	}
	// Sorted tables are compared without a hash index.
	slices.SortFunc(rows, func(a, b diff.Row) int { return diff.CompareKeys(&a, &b) })
	for _, r := range rows {
		fmt.Println(r.OwnerID+r.Email, r.Field)
	}
	// Output:
	// ann@example.com commit
	// ann@example.com pipeline
	// Cy@example.com commit
	// 0042 commit
}
