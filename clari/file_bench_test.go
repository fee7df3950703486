package clari

import (
	"os"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
)

// BenchmarkReadOwnersFile reads the per-owner export named by
// CLARI_BENCH_OWNERS_FILE, such as the prev.json that
// examples/internal/genowners writes, and converts it to rows. It is
// skipped when the variable is unset.
func BenchmarkReadOwnersFile(b *testing.B) {
	path := os.Getenv("CLARI_BENCH_OWNERS_FILE")
	if path == "" {
		b.Skip("CLARI_BENCH_OWNERS_FILE is not set")
	}
	for b.Loop() {
		e, err := ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Rows(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadOwnerRows converts the per-owner export named by
// CLARI_BENCH_OWNERS_FILE straight to rows with ReadOwnerRows. It is
// skipped when the variable is unset.
func BenchmarkReadOwnerRows(b *testing.B) {
	body := readBenchOwnersFile(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, ok := (ReadOptions{}).ReadOwnerRows(body); !ok {
			b.Fatal("ReadOwnerRows did not take the file")
		}
	}
}

// BenchmarkReadOwnerTable reads the per-owner export named by
// CLARI_BENCH_OWNERS_FILE as a table with ReadOwnerTable. It is skipped
// when the variable is unset.
func BenchmarkReadOwnerTable(b *testing.B) {
	body := readBenchOwnersFile(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, ok := (ReadOptions{}).ReadOwnerTable(body); !ok {
			b.Fatal("ReadOwnerTable did not take the file")
		}
	}
}

// BenchmarkReadOwnerTableInOrder reads the per-owner export named by
// CLARI_BENCH_OWNERS_FILE with ReadOwnerTableInOrder, given the order of
// ReadOwnerTable, which it checks instead of sorting. It is skipped when
// the variable is unset.
func BenchmarkReadOwnerTableInOrder(b *testing.B) {
	body := readBenchOwnersFile(b)
	table, ok := (ReadOptions{}).ReadOwnerTable(body)
	if !ok {
		b.Fatal("ReadOwnerTable did not take the file")
	}
	order := table.Order()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, ok := (ReadOptions{}).ReadOwnerTableInOrder(body, order); !ok {
			b.Fatal("ReadOwnerTableInOrder did not take the order of ReadOwnerTable")
		}
	}
}

// BenchmarkOwnerTableRow calls Row once for every row of the table that
// ReadOwnerTable reads from the per-owner export named by
// CLARI_BENCH_OWNERS_FILE. It is skipped when the variable is unset.
func BenchmarkOwnerTableRow(b *testing.B) {
	body := readBenchOwnersFile(b)
	table, ok := (ReadOptions{}).ReadOwnerTable(body)
	if !ok {
		b.Fatal("ReadOwnerTable did not take the file")
	}
	var size int
	for b.Loop() {
		for i := range table.Len() {
			row := table.Row(i)
			size += len(row.OwnerID) + len(row.Email) + len(row.Name)
		}
	}
	if size == 0 {
		b.Fatal("the rows have no strings")
	}
}

// readBenchOwnersFile returns the contents of the per-owner export named
// by CLARI_BENCH_OWNERS_FILE, and skips the benchmark when the variable
// is unset.
func readBenchOwnersFile(b *testing.B) []byte {
	b.Helper()
	path := os.Getenv("CLARI_BENCH_OWNERS_FILE")
	if path == "" {
		b.Skip("CLARI_BENCH_OWNERS_FILE is not set")
	}
	body, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkComputeOwnerTables compares the tables of the per-owner
// exports named by CLARI_BENCH_OWNERS_FILE (the previous one) and
// CLARI_BENCH_OWNERS_CURRENT with diff.ComputeTables, as a tick does. It
// is skipped when either variable is unset.
func BenchmarkComputeOwnerTables(b *testing.B) {
	prevBody := readBenchOwnersFile(b)
	path := os.Getenv("CLARI_BENCH_OWNERS_CURRENT")
	if path == "" {
		b.Skip("CLARI_BENCH_OWNERS_CURRENT is not set")
	}
	curBody, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	prev, ok := (ReadOptions{}).ReadOwnerTable(prevBody)
	if !ok {
		b.Fatal("ReadOwnerTable did not take the previous file")
	}
	cur, ok := (ReadOptions{}).ReadOwnerTable(curBody)
	if !ok {
		b.Fatal("ReadOwnerTable did not take the current file")
	}
	for b.Loop() {
		if _, err := diff.ComputeTables(prev, cur, nil); err != nil {
			b.Fatal(err)
		}
	}
}
