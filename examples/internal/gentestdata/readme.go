package main

import (
	"fmt"
	"math/big"
	"strings"
)

// change is one expected difference between the latest weeks of two
// successive exports, as the README lists it.
type change struct {
	email, name string
	userID      int
	field       string
	previous    *int64 // nil for added
	current     *int64 // nil for removed
}

// kind returns the change kind and whether it alerts at the default
// threshold of 10 % with no minimum change.
func (c change) kind() (string, bool) {
	switch {
	case c.previous == nil:
		return "added", true
	case c.current == nil:
		return "removed", true
	case *c.previous == 0:
		return "from_zero", true
	case *c.current == 0:
		return "to_zero", true
	}
	delta := *c.current - *c.previous
	return "changed", abs(delta)*100 >= 10*abs(*c.previous)
}

// percent returns the exact move in percent of |previous|, with up to
// seven decimals, or "n/a" when it is undefined.
func (c change) percent() string {
	if c.previous == nil || c.current == nil || *c.previous == 0 {
		return "n/a"
	}
	r := big.NewRat((*c.current-*c.previous)*100, abs(*c.previous))
	s := strings.TrimRight(strings.TrimRight(r.FloatString(7), "0"), ".")
	if r.Sign() > 0 {
		s = "+" + s
	}
	return s + " %"
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// pairChanges lists the expected changes between export pair and
// export pair+1: the planted moves, then the fields of removed and added
// reps.
func pairChanges(ds *dataset, pair int) []change {
	var out []change
	for _, mv := range moves {
		if mv.pair != pair {
			continue
		}
		r := ds.reps[mv.rep]
		out = append(out, change{
			email: r.emailIn(pair + 1), name: r.first + " " + r.last, userID: r.userID,
			field: mv.field, previous: &mv.previous, current: &mv.current,
		})
	}
	earlyWeek, lateWeek := firstLatestWeek+pair-1, firstLatestWeek+pair
	for _, r := range ds.reps {
		removed := r.inExport(pair) && !r.inExport(pair+1)
		added := !r.inExport(pair) && r.inExport(pair+1)
		if !removed && !added {
			continue
		}
		for _, f := range fields {
			c := change{email: r.emailIn(pair + 1), name: r.first + " " + r.last, userID: r.userID, field: f.id}
			if removed {
				c.previous = &r.cells[f.id][earlyWeek].value
			} else {
				c.current = &r.cells[f.id][lateWeek].value
			}
			out = append(out, c)
		}
	}
	return out
}

// renderREADME writes README.md from the dataset, so that the tables it
// lists cannot drift from the files.
func renderREADME(ds *dataset) ([]byte, error) {
	var b strings.Builder
	var numeric []string
	for _, r := range ds.reps {
		if r.numericID {
			numeric = append(numeric, fmt.Sprint(r.userID))
		}
	}
	b.WriteString(strings.NewReplacer(
		"{{NUMERIC_IDS}}", strings.Join(numeric, ", "),
		"{{NULL_USER}}", fmt.Sprint(ds.reps[repNullValue].userID),
		"{{EXACT_UP}}", fmt.Sprint(ds.reps[repMarcusBell].userID),
		"{{EXACT_DOWN}}", fmt.Sprint(ds.reps[repChloeDubois].userID),
	).Replace(readmeIntro))
	for pair := 1; pair < exportCount; pair++ {
		writePairTable(&b, ds, pair)
	}
	writeOwnersSection(&b, ds)
	b.WriteString(readmeOutro)
	return []byte(b.String()), nil
}

func writePairTable(b *strings.Builder, ds *dataset, pair int) {
	changes := pairChanges(ds, pair)
	alerts := 0
	for _, c := range changes {
		if _, ok := c.kind(); ok {
			alerts++
		}
	}
	fmt.Fprintf(b, "\n### export-%d.json to export-%d.json\n\n", pair, pair+1)
	fmt.Fprintf(b, "Latest week %d against latest week %d. At the default threshold\n"+
		"(10 %%, no minimum change) %d changes alert.\n\n", firstLatestWeek+pair-1, firstLatestWeek+pair, alerts)
	b.WriteString("| owner | userId | field | previous | current | move | kind | alerts at 10 % |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, c := range changes {
		kind, ok := c.kind()
		fmt.Fprintf(b, "| %s (%s) | %d | %s | %s | %s | %s | %s | %s |\n",
			c.email, c.name, c.userID, c.field, amountText(c.previous), amountText(c.current),
			c.percent(), kind, yesNo(ok))
	}
	if pair == 1 {
		ana := ds.reps[repAnaReyes]
		fmt.Fprintf(b, "\nAlso in this pair: the email of userId %d changes case only,\n"+
			"`%s` to `%s`. Keyed on userId, or on the lower-cased\n"+
			"email, it is the same owner and no change.\n", ana.userID, ana.email, ana.laterEmail)
	}
	if pair == exportCount-1 {
		b.WriteString("\nNo change in this pair reaches 10 %. With `-threshold 5` all four alert.\n")
	}
}

func writeOwnersSection(b *strings.Builder, ds *dataset) {
	b.WriteString(readmeOwners)
	b.WriteString("| owner | forecastAmount before | after | kind | alerts at 10 % |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, c := range pairChanges(ds, 1) {
		if c.field != "commit" {
			continue
		}
		writeOwnerRow(b, c)
	}
	for _, i := range []int{repLiamWalsh, repNoraQuinn} {
		r := ds.reps[i]
		c := change{email: r.emailIn(2), name: r.first + " " + r.last}
		if i == repLiamWalsh {
			c.previous = &r.cells["commit"][firstLatestWeek].value
		} else {
			c.current = &r.cells["commit"][firstLatestWeek+1].value
		}
		writeOwnerRow(b, c)
	}
	ana := ds.reps[repAnaReyes]
	fmt.Fprintf(b, "\n`%s` in owners-1.json is `%s` in owners-2.json,\n"+
		"with the same amount: keyed on the lower-cased email, no change.\n", ana.email, ana.laterEmail)
}

func writeOwnerRow(b *strings.Builder, c change) {
	kind, ok := c.kind()
	fmt.Fprintf(b, "| %s (%s) | %s | %s | %s | %s |\n",
		c.email, c.name, amountText(c.previous), amountText(c.current), kind, yesNo(ok))
}

func amountText(c *int64) string {
	if c == nil {
		return "absent"
	}
	return formatCents(*c)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

const readmeIntro = `# Example forecast exports

These files are generated; do not edit them by hand. To change them, edit
` + "`examples/internal/gentestdata`" + ` and run, from the module root:

` + "```sh\ngo run ./examples/internal/gentestdata\n```" + `

The generator uses a fixed seed, so the output is byte-identical on every
run; ` + "`go test ./examples/internal/gentestdata`" + ` fails when the files here
differ from what it generates, and checks the moves listed below.

## Files

| file | what it is |
|---|---|
| export-1.json to export-4.json | Four successive JSON exports of forecast ` + "`net_bookings`" + `, period ` + "`2026_Q4`" + ` (2026-10-01 to 2026-12-31), currency USD, in Clari's export shape: ` + "`entries`, `users`, `fields`, `timeFrames`, `timePeriods`" + `. Export n fills the weeks 0 to n+7 of 13. |
| owners-1.json, owners-2.json | The simpler per-owner shape that internal tools produce: ` + "`{\"entries\": [{\"ownerEmail\", \"ownerName\", \"forecastAmount\"}]}`" + `. |
| README.md | This file. |

## What the exports contain

- Users: a VP (` + "`hierarchyName` \"VP Sales\", `parentHierarchyId` null" + `), five sales
  managers under the VP, and 42 reps under the managers in every export
  (export-3 drops one rep and adds another). ` + "`scopeId`" + ` is
  ` + "`<userId>::REP` or `<userId>::MGR`" + `.
- Fields: ` + "`commit` (Commit), `best_case` (Best Case), `pipeline` (Pipeline) and\n  `closed` (Closed Won)" + `.
- Time frames: 13 weekly time frames, ids "0" to "12"; the last week runs to
  the end of the quarter. Every export lists all 13, and has an entry for
  every user, field and week up to its latest week.
- Entries: ` + "`forecastValue`" + ` is a JSON number with two decimals, in USD.
  ` + "`isUpdated`" + ` is true in the week a value first appears or changes, and then
  ` + "`updatedBy`" + ` (a userId) and ` + "`updatedOn`" + ` (epoch milliseconds) are set; otherwise
  both are null.
- Both id forms: in ` + "`users`" + `, the userId of every sixth rep is a JSON
  number ({{NUMERIC_IDS}}),
  while ` + "`entries`" + ` always carry userId as a string. Entries of the
  ` + "`closed`" + ` field carry ` + "`timeFrameId`" + ` as a number,
  the others as a string. A reader must treat 2900 and "2900" as one id.
- One null: the ` + "`best_case`" + ` entry of userId {{NULL_USER}} in week 0 has
  ` + "`\"forecastValue\": null`" + `. It means absent, not zero. It is never in a latest
  week, so it causes no change.
- Managers and the VP enter one value per field in week 0 and keep it, so all
  changes below are reps' changes.
- Between two exports, every value in the earlier export's latest week stays
  the same in the later export's latest week, except for the moves below.

## Planted moves

A comparison takes, for each user and field, the value of the latest week
in each export, and keys it on (period, userId, field). Amounts are in USD;
"move" is the exact change in percent of the previous value. A move of
exactly 10 % alerts at the default threshold; 9.99 % does not. The two
exact 10 % moves (userId {{EXACT_UP}} and {{EXACT_DOWN}}) give 9.99999999999999822364 and
-9.99999999999999467093 when computed with float64, so a float-based
threshold check misses them.
`

const readmeOwners = `
## owners-1.json to owners-2.json

owners-1.json holds each rep's commit from the latest week of export-1, and
owners-2.json the same from export-2, except that Liam Walsh is already gone
and Nora Quinn already present. The owner key is the lower-cased email.

`

const readmeOutro = `
## Using them

- The ` + "`-demo`" + ` mode of ` + "`examples/forecast-monitor`" + ` serves export-1.json to
  export-4.json in order from the in-process Clari emulator: export-1 is the
  baseline, then each later export alerts as listed above.
- ` + "`go run ./examples/forecast-monitor -export-file examples/testdata/export-2.json -store DIR`" + `
  after a run on export-1.json with the same store compares the pair.
`
