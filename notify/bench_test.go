package notify_test

import (
	"fmt"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
)

// benchReport returns a report with n changes of every kind, spread over
// n/4 owners, as a large forecast export produces.
func benchReport(n int) *diff.Report {
	r := &diff.Report{Periods: []string{"2026-Q3"}, Summary: diff.Summary{Compared: n}}
	kinds := []diff.Kind{diff.KindChanged, diff.KindChanged, diff.KindAdded, diff.KindRemoved}
	for i := range n {
		c := diff.Change{
			Kind: kinds[i%len(kinds)], Period: "2026-Q3", OwnerID: fmt.Sprint("u", i/4),
			Email: fmt.Sprintf("rep%d@example.com", i/4), Name: fmt.Sprintf("Rep %d & <Co>", i/4),
			Field: "commit", FieldName: fmt.Sprint("Commit ", i%4),
			Previous: amount("1000000.50"), Current: amount("1250000.25"), Delta: *amount("249999.75"),
			Direction: diff.Increased,
		}
		switch c.Kind {
		case diff.KindAdded:
			c.Previous = nil
		case diff.KindRemoved:
			c.Current = nil
		}
		r.Changes = append(r.Changes, c)
	}
	return r
}

// BenchmarkRenderEncodeSlack measures RenderReport followed by EncodeSlack
// with the default top 10 and with every change listed.
func BenchmarkRenderEncodeSlack(b *testing.B) {
	for _, n := range []int{10, 1_000, 100_000} {
		r := benchReport(n)
		for _, mode := range []struct {
			name string
			max  int
		}{{"top10", 0}, {"all", -1}} {
			b.Run(fmt.Sprintf("changes=%d/%s", n, mode.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m := notify.RenderReport(r, &notify.RenderOptions{MaxChanges: mode.max, Currency: "USD"})
					if _, err := notify.EncodeSlack(m); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
