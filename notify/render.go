package notify

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
)

// DefaultMaxChanges is the number of changes a rendered report lists when
// [RenderOptions].MaxChanges is zero.
const DefaultMaxChanges = 10

// Direction markers used in rendered change lines.
const (
	MarkerUp   = "▲"
	MarkerDown = "▼"
)

// RenderOptions configures [RenderReport]. A nil *RenderOptions is the same
// as the zero value.
type RenderOptions struct {
	// MaxChanges is the number of changes listed, and also the number of
	// added and of removed reps; the rest is counted in an "and N more"
	// line. Zero means [DefaultMaxChanges]; a negative value lists all.
	MaxChanges int
	// Currency is the currency code put before amounts, such as "USD".
	// Empty shows bare numbers.
	Currency string
	// Stream labels the forecast in the title, such as "Acme forecast".
	Stream string
	// Title replaces the whole title when set.
	Title string
	// Key is copied into [Message].Key.
	Key string
	// Baseline marks the first export of a stream. The message states that
	// it is a baseline and lists no changes.
	Baseline bool
	// DryRun marks a run that stores nothing and moves no head. The title
	// starts with "[Dry run]", and the baseline and period-change texts
	// state that the export would become the baseline.
	DryRun bool
}

// dryRunPrefix starts the title of a message rendered with DryRun set.
const dryRunPrefix = "[Dry run] "

// RenderReport turns a report into a message: a summary, the top changes
// with an up or down marker, previous and current amounts and the percent,
// then the reps added and removed. The summary counts values, one per rep,
// field and period, and names how many reps the added and removed values
// belong to. The message keeps r, with its exact [diff.Summary], in its
// Report field.
func RenderReport(r *diff.Report, opts *RenderOptions) *Message {
	if opts == nil {
		opts = &RenderOptions{}
	}
	if r == nil {
		r = &diff.Report{}
	}
	m := &Message{Key: opts.Key, Title: reportTitle(r, opts), Report: r}
	switch {
	case opts.Baseline:
		m.Text = baselineText(opts.DryRun)
		m.Sections = []Section{{Text: m.Text, Fields: periodFields(r)}}
		return m
	case r.PeriodChanged:
		m.Text = periodChangedText(r, opts.DryRun)
		m.Sections = []Section{{Text: m.Text}}
		return m
	}

	moved, added, removed := splitChanges(r.Changes)
	addedReps, removedReps := groupByOwner(added), groupByOwner(removed)
	m.Text = summaryText(r.Summary, len(addedReps.order), len(removedReps.order))
	m.Sections = append(m.Sections, Section{Text: m.Text, Fields: periodFields(r)})
	max := opts.MaxChanges
	if max == 0 {
		max = DefaultMaxChanges
	}
	multiPeriod := len(r.Periods) > 1
	if len(moved) > 0 {
		m.Sections = append(m.Sections, listSection("Top changes", "changes", moved, max,
			func(c *diff.Change) string { return changeLine(*c, opts.Currency, multiPeriod) }))
	}
	if len(added) > 0 {
		m.Sections = append(m.Sections, repSection("Reps added", addedReps, max, opts.Currency, multiPeriod))
	}
	if len(removed) > 0 {
		m.Sections = append(m.Sections, repSection("Reps removed", removedReps, max, opts.Currency, multiPeriod))
	}
	return m
}

// splitChanges sorts changes into moved values, added and removed ones.
// It keeps pointers, not copies: a report can hold 100,000 changes, and
// copying each Change struct dominated the time and memory of rendering.
func splitChanges(changes []diff.Change) (moved, added, removed []*diff.Change) {
	for i := range changes {
		c := &changes[i]
		switch c.Kind {
		case diff.KindAdded:
			added = append(added, c)
		case diff.KindRemoved:
			removed = append(removed, c)
		default:
			moved = append(moved, c)
		}
	}
	return moved, added, removed
}

func baselineText(dryRun bool) string {
	if dryRun {
		return "First export of this stream: would be stored as the baseline (dry run), nothing to compare yet."
	}
	return "First export of this stream: stored as the baseline, nothing to compare yet."
}

func periodChangedText(r *diff.Report, dryRun bool) string {
	starts := "starts a new baseline"
	if dryRun {
		starts = "would start a new baseline (dry run)"
	}
	return fmt.Sprintf("The period changed from %s to %s: this export %s, so no changes are listed.",
		orNone(r.PreviousPeriods), orNone(r.Periods), starts)
}

func reportTitle(r *diff.Report, opts *RenderOptions) string {
	if opts.DryRun {
		return dryRunPrefix + plainTitle(r, opts)
	}
	return plainTitle(r, opts)
}

func plainTitle(r *diff.Report, opts *RenderOptions) string {
	if opts.Title != "" {
		return opts.Title
	}
	t := "Forecast changes"
	if opts.Stream != "" {
		t += ": " + opts.Stream
	}
	if len(r.Periods) > 0 {
		t += " (" + strings.Join(r.Periods, ", ") + ")"
	}
	return t
}

func orNone(periods []string) string {
	if len(periods) == 0 {
		return "(none)"
	}
	return strings.Join(periods, ", ")
}

func periodFields(r *diff.Report) []Field {
	if len(r.Periods) == 0 {
		return nil
	}
	return []Field{{Name: "Period", Value: strings.Join(r.Periods, ", ")}}
}

// summaryText returns the summary line. It counts values, one per (rep,
// field, period), as [diff.Summary] does. It also names the reps behind
// the added and removed values, because one new rep adds a value per field.
func summaryText(s diff.Summary, addedReps, removedReps int) string {
	if s.Changed+s.Added+s.Removed == 0 {
		return fmt.Sprintf("No changes above the threshold (%s compared).", plural(s.Compared, "value"))
	}
	var parts []string
	if s.Changed > 0 {
		parts = append(parts, plural(s.Changed, "value")+" changed")
	}
	if s.Added > 0 {
		parts = append(parts, repCount(s.Added, addedReps, "added"))
	}
	if s.Removed > 0 {
		parts = append(parts, repCount(s.Removed, removedReps, "removed"))
	}
	return fmt.Sprintf("%s. %s compared, %d below the threshold.",
		strings.Join(parts, ", "), plural(s.Compared, "value"), s.BelowThreshold)
}

// repCount returns "1 rep added (4 values)", or "4 values added" when the
// report lists none of the values' reps.
func repCount(values, reps int, verb string) string {
	if reps == 0 {
		return plural(values, "value") + " " + verb
	}
	return fmt.Sprintf("%s %s (%s)", plural(reps, "rep"), verb, plural(values, "value"))
}

// plural returns n and noun, with an "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// listSection lists up to max items and counts the rest in a last line.
func listSection(heading, noun string, cs []*diff.Change, max int, line func(*diff.Change) string) Section {
	sec := Section{Heading: heading}
	n := len(cs)
	if max > 0 && n > max {
		n = max
	}
	for _, c := range cs[:n] {
		sec.Lines = append(sec.Lines, line(c))
	}
	if rest := len(cs) - n; rest > 0 {
		sec.Lines = append(sec.Lines, fmt.Sprintf("… and %d more %s", rest, noun))
	}
	return sec
}

// ownerGroups is a list of changes grouped by rep, in order of first
// appearance.
type ownerGroups struct {
	order   []string
	byOwner map[string][]*diff.Change
}

func groupByOwner(cs []*diff.Change) ownerGroups {
	g := ownerGroups{byOwner: map[string][]*diff.Change{}}
	for _, c := range cs {
		k := ownerKey(*c)
		if _, ok := g.byOwner[k]; !ok {
			g.order = append(g.order, k)
		}
		g.byOwner[k] = append(g.byOwner[k], c)
	}
	return g
}

// repSection lists added or removed rows, one line per rep.
func repSection(heading string, g ownerGroups, max int, currency string, multiPeriod bool) Section {
	reps := make([]*diff.Change, len(g.order))
	for i, k := range g.order {
		reps[i] = g.byOwner[k][0]
	}
	return listSection(heading, "reps", reps, max, func(first *diff.Change) string {
		var vals []string
		for _, c := range g.byOwner[ownerKey(*first)] {
			v := c.Current
			if v == nil {
				v = c.Previous
			}
			label := fieldLabel(*c)
			if multiPeriod {
				label += " " + c.Period
			}
			if v != nil {
				label += " " + FormatAmount(*v, currency)
			}
			vals = append(vals, label)
		}
		return ownerLabel(*first) + ": " + strings.Join(vals, ", ")
	})
}

func ownerKey(c diff.Change) string {
	if c.OwnerID != "" {
		return "id:" + c.OwnerID
	}
	return "email:" + strings.ToLower(strings.TrimSpace(c.Email))
}

func ownerLabel(c diff.Change) string {
	name := c.Name
	if name == "" {
		name = c.OwnerID
	}
	switch {
	case name == "" && c.Email == "":
		return "(unknown owner)"
	case name == "":
		return c.Email
	case c.Email == "":
		return name
	}
	return name + " (" + c.Email + ")"
}

func fieldLabel(c diff.Change) string {
	if c.FieldName != "" {
		return c.FieldName
	}
	return c.Field
}

// changeLine renders one moved value, for example
// "▲ Jane Doe (jane@example.com) · Commit: USD 1,000,000.00 → USD 1,100,000.00 (+10.0 %)".
func changeLine(c diff.Change, currency string, multiPeriod bool) string {
	marker := MarkerUp
	if c.Direction == diff.Decreased {
		marker = MarkerDown
	}
	var b strings.Builder
	b.WriteString(marker + " " + ownerLabel(c) + " · " + fieldLabel(c))
	if multiPeriod {
		b.WriteString(" · " + c.Period)
	}
	b.WriteString(": " + amountOrDash(c.Previous, currency) + " → " + amountOrDash(c.Current, currency))
	if c.Kind == diff.KindFromZero {
		b.WriteString(" (from zero)")
	} else if p, ok := PercentChange(c); ok {
		b.WriteString(" (" + p + ")")
	}
	return b.String()
}

func amountOrDash(a *diff.Amount, currency string) string {
	if a == nil {
		return "–"
	}
	return FormatAmount(*a, currency)
}
