package diff

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortedPeriodsMatchesDistinct(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for n := 0; n < 300; n++ {
		var rows Rows
		for p := 0; len(rows) < n; p++ {
			run := 1 + rng.IntN(1+rng.IntN(64))
			for range min(run, n-len(rows)) {
				rows = append(rows, Row{Period: fmt.Sprintf("P%03d", p)})
			}
		}
		// A wrapper that is not Rows, so that no fast path applies.
		table := struct{ Table }{rows}
		got, want := sortedPeriods(table), distinctPeriods(rows)
		if !slices.Equal(got, want) {
			t.Fatalf("sortedPeriods of %d rows = %v, want %v", n, got, want)
		}
	}
}
