package notify

import (
	"fmt"
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
	// Baseline marks the first export of a stream: the message says so
	// and lists no changes.
	Baseline bool
}

// RenderReport turns a report into a message: a summary, the top changes
// with an up or down marker, previous and current amounts and the percent,
// then the reps added and removed. The message keeps r in its Report field.
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
		m.Text = "First export of this stream: stored as the baseline, nothing to compare yet."
		m.Sections = []Section{{Text: m.Text, Fields: periodFields(r)}}
		return m
	case r.PeriodChanged:
		m.Text = fmt.Sprintf("The period changed from %s to %s: this export starts a new baseline, so no changes are listed.",
			orNone(r.PreviousPeriods), orNone(r.Periods))
		m.Sections = []Section{{Text: m.Text}}
		return m
	}
	m.Text = summaryText(r)
	m.Sections = append(m.Sections, Section{Text: m.Text, Fields: periodFields(r)})
	max := opts.MaxChanges
	if max == 0 {
		max = DefaultMaxChanges
	}
	// Pointers, not copies: a report can hold 100,000 changes, and copying
	// each Change struct dominated the time and memory of rendering.
	var moved, added, removed []*diff.Change
	for i := range r.Changes {
		c := &r.Changes[i]
		switch c.Kind {
		case diff.KindAdded:
			added = append(added, c)
		case diff.KindRemoved:
			removed = append(removed, c)
		default:
			moved = append(moved, c)
		}
	}
	multiPeriod := len(r.Periods) > 1
	if len(moved) > 0 {
		m.Sections = append(m.Sections, listSection("Top changes", "changes", moved, max,
			func(c *diff.Change) string { return changeLine(*c, opts.Currency, multiPeriod) }))
	}
	if len(added) > 0 {
		m.Sections = append(m.Sections, repSection("Reps added", added, max, opts.Currency, multiPeriod))
	}
	if len(removed) > 0 {
		m.Sections = append(m.Sections, repSection("Reps removed", removed, max, opts.Currency, multiPeriod))
	}
	return m
}

func reportTitle(r *diff.Report, opts *RenderOptions) string {
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

func summaryText(r *diff.Report) string {
	s := r.Summary
	if s.Changed+s.Added+s.Removed == 0 {
		return fmt.Sprintf("No changes above the threshold (%d compared).", s.Compared)
	}
	return fmt.Sprintf("%d changed, %d added, %d removed (%d compared, %d below the threshold).",
		s.Changed, s.Added, s.Removed, s.Compared, s.BelowThreshold)
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

// repSection groups added or removed rows by owner, one line per rep.
func repSection(heading string, cs []*diff.Change, max int, currency string, multiPeriod bool) Section {
	var order []string
	byOwner := map[string][]*diff.Change{}
	for _, c := range cs {
		k := ownerKey(*c)
		if _, ok := byOwner[k]; !ok {
			order = append(order, k)
		}
		byOwner[k] = append(byOwner[k], c)
	}
	reps := make([]*diff.Change, len(order))
	for i, k := range order {
		reps[i] = byOwner[k][0]
	}
	return listSection(heading, "reps", reps, max, func(first *diff.Change) string {
		var vals []string
		for _, c := range byOwner[ownerKey(*first)] {
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
