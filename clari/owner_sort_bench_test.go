package clari

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSortOwners is the number of owners in the exports of
// BenchmarkOwnerTableShapes and BenchmarkSortByID.
const benchSortOwners = 1_000_000

// ownerIDShapes are forms of owner ids: emails whose ids share 3, 8 and
// 22 leading bytes, and Salesforce-style ids that share 11. The radix sort
// of sortByID starts with 8-byte prefixes, which are mostly distinct for
// "rep", and the same for all ids of each other shape.
var ownerIDShapes = []struct {
	name string
	// entry writes the members of entry i before its amount.
	entry func(b []byte, i int) []byte
}{
	{name: "rep", entry: func(b []byte, i int) []byte {
		return fmt.Appendf(b, `"ownerEmail":"rep%d@example.com","ownerName":"Rep %d",`, i, i)
	}},
	{name: "salesrep", entry: func(b []byte, i int) []byte {
		return fmt.Appendf(b, `"ownerEmail":"salesrep%d@example.com","ownerName":"Rep %d",`, i, i)
	}},
	{name: "sales.representative", entry: func(b []byte, i int) []byte {
		return fmt.Appendf(b, `"ownerEmail":"sales.representative.%07d@example.com","ownerName":"Rep %d",`, i, i)
	}},
	{name: "salesforce", entry: func(b []byte, i int) []byte {
		return fmt.Appendf(b, `"ownerId":"%s","ownerEmail":"rep%d@example.com","ownerName":"Rep %d",`,
			salesforceUserID(i), i, i)
	}},
}

// salesforceUserID returns an 18-character id in the layout of Salesforce
// user ids, as https://metillium.com/2017/08/interesting-salesforce-id-information/
// describes it. The id has the key prefix "005", a 2-character pod "5g",
// a reserved "0", 9 base-62 digits of a record number and a 3-character
// suffix. This suffix is derived from i and is not Salesforce's checksum.
func salesforceUserID(i int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	id := []byte("0055g0000000000AAA")
	for k, n := 14, 3_000_000+7*i; k >= 6; k-- {
		id[k] = digits[n%62]
		n /= 62
	}
	for k, n := 15, uint(i)*2654435761; k < 18; k++ {
		id[k] = digits[26+n%26]
		n /= 26
	}
	return string(id)
}

// shapeOwners returns a per-owner export of n owners, in which entry
// writes the members of each entry that come before its amount. The
// entries are in a random order with a fixed seed, so that no sort gains
// from ids that arrive already sorted.
func shapeOwners(n int, entry func(b []byte, i int) []byte) []byte {
	order := rand.New(rand.NewPCG(3, 4)).Perm(n)
	var b bytes.Buffer
	b.Grow(n * 80)
	b.WriteString(`{"period":"2026_Q4","entries":[`)
	var line []byte
	for k, i := range order {
		line = line[:0]
		if k > 0 {
			line = append(line, ',')
		}
		line = append(line, '{')
		line = entry(line, i)
		line = fmt.Appendf(line, `"forecastAmount":%d.%02d}`, 1000+i%90000, i%100)
		b.Write(line)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// reportCPU reports the CPU time of the process per operation since
// start, which varies less than the wall time on a shared machine.
func reportCPU(b *testing.B, start float64) {
	if cpu := processCPU().Seconds() - start; cpu > 0 {
		b.ReportMetric(cpu*1e3/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkOwnerTableShapes reads exports of 1M owners, one for each shape
// of ownerIDShapes, with ReadOwnerTable.
func BenchmarkOwnerTableShapes(b *testing.B) {
	for _, shape := range ownerIDShapes {
		b.Run(shape.name, func(b *testing.B) {
			body := shapeOwners(benchSortOwners, shape.entry)
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			start := processCPU().Seconds()
			for b.Loop() {
				if _, ok := (ReadOptions{}).ReadOwnerTable(body); !ok {
					b.Fatal("ReadOwnerTable did not take the export")
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkSortByID sorts the records of exports of 1M owners, one for
// each shape of ownerIDShapes, by owner id, without scanning them.
func BenchmarkSortByID(b *testing.B) {
	for _, shape := range ownerIDShapes {
		b.Run(shape.name, func(b *testing.B) {
			body := shapeOwners(benchSortOwners, shape.entry)
			table, ok := (ReadOptions{}).ReadOwnerTable(body)
			if !ok {
				b.Fatal("ReadOwnerTable did not take the export")
			}
			b.ResetTimer()
			start := processCPU().Seconds()
			for b.Loop() {
				if _, ok := table.sortByID(); !ok {
					b.Fatal("sortByID found two records of one owner")
				}
			}
			reportCPU(b, start)
		})
	}
}
