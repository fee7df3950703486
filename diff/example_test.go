package diff_test

import (
	"errors"
	"fmt"

	"github.com/clariwatch/clariwatch/diff"
)

func ExampleCompute() {
	previous := []diff.Row{
		{Period: "FY26Q3", Email: "ann@example.com", Name: "Ann", Field: "commit", FieldName: "Commit",
			Value: diff.MustParseAmount("1234.50")},
		{Period: "FY26Q3", Email: "bob@example.com", Name: "Bob", Field: "commit", FieldName: "Commit",
			Value: diff.MustParseAmount("0")},
		{Period: "FY26Q3", Email: "cy@example.com", Name: "Cy", Field: "commit", FieldName: "Commit",
			Value: diff.MustParseAmount("800")},
	}
	current := []diff.Row{
		{Period: "FY26Q3", Email: "Ann@Example.com", Name: "Ann", Field: "commit", FieldName: "Commit",
			Value: diff.MustParseAmount("1357.95")}, // exactly +10 %
		{Period: "FY26Q3", Email: "bob@example.com", Name: "Bob", Field: "commit", FieldName: "Commit",
			Value: diff.MustParseAmount("500")},
		{Period: "FY26Q3", Email: "cy@example.com", Name: "Cy", Field: "commit", FieldName: "Commit",
			Value: diff.MustParseAmount("790")}, // -1.25 %, below 10 %
	}
	report, err := diff.Compute(previous, current, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range report.Changes {
		line := fmt.Sprintf("%-9s %s %s: %v -> %v (%s)", c.Kind, c.Email, c.FieldName, c.Previous, c.Current, c.Delta)
		if p := c.PercentString(); p != "" {
			line += " " + p
		}
		fmt.Println(line)
	}
	fmt.Printf("%+v\n", report.Summary)
	// Output:
	// from_zero bob@example.com Commit: 0 -> 500 (500)
	// changed   Ann@Example.com Commit: 1234.5 -> 1357.95 (123.45) +10.0%
	// {Compared:3 Changed:2 Added:0 Removed:0 Unchanged:0 BelowThreshold:1 OtherPeriods:0}
}

func ExampleCompute_options() {
	previous := []diff.Row{
		{Period: "Q1", OwnerID: "u1", Email: "ann@example.com", Field: "best", Value: diff.MustParseAmount("1000")},
		{Period: "Q1", OwnerID: "u1", Email: "ann@example.com", Field: "commit", Value: diff.MustParseAmount("1000")},
	}
	current := []diff.Row{
		{Period: "Q1", OwnerID: "u1", Email: "ann@example.com", Field: "best", Value: diff.MustParseAmount("1100")},
		{Period: "Q1", OwnerID: "u1", Email: "ann@example.com", Field: "commit", Value: diff.MustParseAmount("900")},
	}
	opts := &diff.Options{
		// Alert on moves of 5 % or more, and at least 50.
		Threshold: diff.Threshold{Percent: diff.Percent(5), MinChange: new(diff.MustParseAmount("50"))},
		// Best case moves a lot: alert only from 25 %.
		Fields:    map[string]diff.Threshold{"best": {Percent: diff.Percent(25)}},
		Direction: diff.Both,
	}
	report, err := diff.Compute(previous, current, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range report.Changes {
		fmt.Println(c.Field, c.Direction, c.PercentString())
	}
	// Output:
	// commit decreased -10.0%
}

func ExampleCompute_duplicateKeys() {
	rows := []diff.Row{
		{Period: "Q1", Email: "ann@example.com", Field: "commit", Value: diff.MustParseAmount("1")},
		{Period: "Q1", Email: " ANN@example.com", Field: "commit", Value: diff.MustParseAmount("2")},
	}
	_, err := diff.Compute(nil, rows, nil)
	var dup *diff.DuplicateKeyError
	if errors.As(err, &dup) {
		for _, k := range dup.Keys {
			fmt.Println(dup.Table, k.Period, k.Owner, k.Field, k.Count)
		}
	}
	// Output:
	// current Q1 ann@example.com commit 2
}

func ExampleParseAmount() {
	for _, s := range []string{"1250000", "-12.50", "1.5e3", "0.1234567"} {
		a, err := diff.ParseAmount(s)
		if err != nil {
			fmt.Println(errors.Is(err, diff.ErrAmount), err)
			continue
		}
		fmt.Println(a)
	}
	// Output:
	// 1250000
	// -12.5
	// 1500
	// true diff: invalid amount "0.1234567": more than 6 decimal places; round it to 6 places first
}
