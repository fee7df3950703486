package diff_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
)

// benchFields are the forecast fields of a generated table.
var benchFields = []string{"commit", "best_case", "pipeline", "closed"}

// benchTables generates two tables of n rows each, shaped like a Clari
// export: owners × fields in one period. Of the current rows, about 5 %
// move by up to ±30 %, 1 % go to or come from 0, 0.5 % are removed and
// as many added. One email in 16 is mixed case.
func benchTables(n int, rng *rand.Rand) (previous, current []diff.Row) {
	previous = make([]diff.Row, 0, n)
	current = make([]diff.Row, 0, n)
	owners := (n + len(benchFields) - 1) / len(benchFields)
	for o := 0; len(previous) < n; o++ {
		email := "rep" + strconv.Itoa(o) + "@example.com"
		if o%16 == 0 {
			email = "Rep" + strconv.Itoa(o) + "@Example.com"
		}
		for f := 0; f < len(benchFields) && len(previous) < n; f++ {
			r := diff.Row{
				Period: "2026-Q4", Email: email, Name: "Rep " + strconv.Itoa(o),
				Field: benchFields[f], FieldName: benchFields[f],
				Value: diff.AmountFromMicros(rng.Int64N(5_000_000) * 10_000),
			}
			previous = append(previous, r)
			current = append(current, benchMove(r, o+owners, rng))
		}
	}
	return previous, current
}

// benchMove returns r as the current export might show it.
func benchMove(r diff.Row, newOwner int, rng *rand.Rand) diff.Row {
	switch p := rng.IntN(1000); {
	case p < 50:
		m := r.Value.Micros()
		r.Value = diff.AmountFromMicros(m + m/100*rng.Int64N(61) - m/100*30)
	case p < 55:
		r.Value = diff.AmountFromMicros(0)
	case p < 60:
		r.Value = diff.AmountFromMicros(rng.Int64N(1_000_000) * 10_000)
	case p < 65:
		r.Email = "rep" + strconv.Itoa(newOwner) + "@example.com"
	}
	return r
}

func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		previous, current := benchTables(n, rng)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			cpuBefore := processCPUTime()
			for b.Loop() {
				if _, err := diff.Compute(previous, current, nil); err != nil {
					b.Fatal(err)
				}
			}
			cpu := processCPUTime() - cpuBefore
			runtime.ReadMemStats(&after)
			// A row is one row of either table: each iteration reads 2n.
			rows := float64(b.N) * float64(2*n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
			b.ReportMetric(float64(cpu)/rows, "cpu-ns/row")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
		})
	}
}

// BenchmarkComputeSorted is BenchmarkCompute on the same tables sorted by
// diff.CompareKeys, as clari returns them: Compute walks them in step.
func BenchmarkComputeSorted(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		previous, current := benchTables(n, rng)
		previous, current = sortedRows(previous), sortedRows(current)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			cpuBefore := processCPUTime()
			for b.Loop() {
				if _, err := diff.Compute(previous, current, nil); err != nil {
					b.Fatal(err)
				}
			}
			rows := float64(b.N) * float64(2*n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
			b.ReportMetric(float64(processCPUTime()-cpuBefore)/rows, "cpu-ns/row")
		})
	}
}
