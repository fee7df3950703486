package notify_test

import (
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/notify/slacktest"
)

// FuzzRender checks that any rep name, email, field name and amount
// renders to Slack payloads that pass slacktest's strict check, with no
// user text lost.
func FuzzRender(f *testing.F) {
	f.Add("Jane Doe", "jane@example.com", "Commit", "1250000.5", 3)
	f.Add("<!channel>", "a&b@<x>.com", "*Best* _Case_", "-0.000001", 1)
	f.Add(strings.Repeat("Ünïcødé 🚀 ", 200), "", "", "9223372036854.775807", 60)
	f.Add("\xff\xfe bad utf8", "&amp;&lt;", "\n\n", "0", 0)
	f.Add(strings.Repeat("&", 1500), strings.Repeat("<", 2100), strings.Repeat(">", 160), "1e6", 12)
	f.Fuzz(func(t *testing.T, name, email, field, value string, n int) {
		a, err := diff.ParseAmount(value)
		// Real names are short; the size cap keeps each run fast while
		// still crossing every Slack limit.
		if err != nil || len(name)+len(email)+len(field) > 4000 {
			t.Skip()
		}
		n = min(max(n, 1), 60)
		r := &diff.Report{Periods: []string{field}, Summary: diff.Summary{Changed: n, Added: 1}}
		for i := range n {
			prev := diff.MustParseAmount("1000")
			r.Changes = append(r.Changes, diff.Change{
				Kind: diff.KindChanged, Period: field, OwnerID: name + string(rune('a'+i%26)), Email: email,
				Name: name, Field: field, FieldName: field, Previous: &prev, Current: &a,
				Direction: diff.Decreased,
			})
		}
		r.Changes = append(r.Changes, diff.Change{Kind: diff.KindAdded, Name: name, Email: email, FieldName: field, Current: &a})
		m := notify.RenderReport(r, &notify.RenderOptions{MaxChanges: -1, Currency: field, Stream: name})
		payloads, err := notify.EncodeSlack(m)
		if err != nil {
			t.Fatalf("EncodeSlack: %v", err)
		}
		var text strings.Builder
		for i, p := range payloads {
			got, err := slacktest.ValidateStrict(p)
			if err != nil {
				t.Fatalf("payload %d of %d: %v\n%s", i+1, len(payloads), err, p)
			}
			for _, b := range got.Blocks {
				if b.Text != nil {
					text.WriteString(b.Text.Text)
				}
				for _, f := range b.Fields {
					text.WriteString(f.Text)
				}
			}
		}
		// Every change line must survive; a split may break a line but
		// keeps its characters, so compare without line breaks.
		joined := strings.ReplaceAll(text.String(), "\n", "")
		want := notify.FormatAmount(a, "")
		if strings.Count(joined, "→") < n {
			t.Errorf("found %d change arrows, want at least %d", strings.Count(joined, "→"), n)
		}
		if !strings.Contains(joined, want) {
			t.Errorf("amount %q missing", want)
		}
	})
}
