// The genowners command writes two per-owner forecast exports, a previous
// and a current one, for comparing the forecast monitor with the plain
// Python monitor in examples/internal/pymonitor.
//
// Usage:
//
//	go run ./examples/internal/genowners -owners 1000000 -dir /tmp/owners
//
// It writes prev.json and curr.json in the shape that clari.ReadOptions
// reads: {"period": "2026_Q4", "entries": [{"ownerEmail", "ownerName",
// "forecastAmount"}]}. The amounts have two decimals. In curr.json one
// owner in twenty (5 %) moves by +25 %, and the others keep their amount.
// The output depends only on the flags.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	owners := flag.Int("owners", 1_000_000, "number of owners in each file")
	dir := flag.String("dir", ".", "directory to write prev.json and curr.json to")
	seed := flag.Uint64("seed", 1, "seed of the amounts")
	flag.Parse()
	if *owners < 1 {
		fmt.Fprintln(os.Stderr, "genowners: -owners must be at least 1")
		os.Exit(2)
	}
	amounts := make([]int64, *owners)
	rng := rand.New(rand.NewPCG(*seed, 0))
	for i := range amounts {
		amounts[i] = 100_000 + rng.Int64N(90_000_000) // cents
	}
	for _, f := range []struct {
		name string
		move bool
	}{{"prev.json", false}, {"curr.json", true}} {
		if err := write(filepath.Join(*dir, f.name), amounts, f.move); err != nil {
			fmt.Fprintln(os.Stderr, "genowners:", err)
			os.Exit(1)
		}
	}
}

// write writes one export to path; with move, every 20th owner's amount
// is 25 % higher.
func write(path string, amounts []int64, move bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"period":"2026_Q4","entries":[`)
	var b []byte
	for i, cents := range amounts {
		if move && i%20 == 0 {
			cents += cents / 4
		}
		b = b[:0]
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"ownerEmail":"rep%d@example.com","ownerName":"Rep %d","forecastAmount":`, i, i)
		b = strconv.AppendInt(b, cents/100, 10)
		b = append(b, '.')
		b = append(b, byte('0'+cents%100/10), byte('0'+cents%10))
		b = append(b, '}')
		w.Write(b)
	}
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
