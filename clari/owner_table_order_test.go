package clari

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOwnerTableInOrderRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 5, 1000, parallelSize + 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			body := periodOwners(n, func(int) string { return "" })
			want, ok := ReadOptions{}.ReadOwnerTable(body)
			if !ok {
				t.Fatal("ReadOwnerTable did not take the export")
			}
			order := want.Order()
			got, ok := ReadOptions{}.ReadOwnerTableInOrder(body, order)
			if !ok {
				t.Fatal("ReadOwnerTableInOrder rejected the order of ReadOwnerTable")
			}
			if d := cmp.Diff(tableRows(want), tableRows(got), cmpAmount); d != "" {
				t.Errorf("rows differ from ReadOwnerTable's (-want +got):\n%s", d)
			}
			order[0] = ^uint32(0)
			if got.Row(0) != want.Row(0) {
				t.Error("the table changed with the caller's order slice")
			}
		})
	}
}

func TestOwnerTableInOrderRejects(t *testing.T) {
	const n = parallelSize + 9
	body := periodOwners(n, func(int) string { return "" })
	table, ok := ReadOptions{}.ReadOwnerTable(body)
	if !ok {
		t.Fatal("ReadOwnerTable did not take the export")
	}
	mid := n / 2
	tests := []struct {
		name   string
		change func([]uint32) []uint32
	}{
		{"reversed", func(o []uint32) []uint32 { slices.Reverse(o); return o }},
		{"first two swapped", func(o []uint32) []uint32 { o[0], o[1] = o[1], o[0]; return o }},
		{"swapped at the middle", func(o []uint32) []uint32 { o[mid-1], o[mid] = o[mid], o[mid-1]; return o }},
		{"index repeated", func(o []uint32) []uint32 { o[7] = o[6]; return o }},
		{"out of range at the middle", func(o []uint32) []uint32 { o[mid-1] = n; return o }},
		{"out of range first", func(o []uint32) []uint32 { o[0] = ^uint32(0); return o }},
		{"out of range last", func(o []uint32) []uint32 { o[n-1] = n; return o }},
		{"short", func(o []uint32) []uint32 { return o[:n-1] }},
		{"long", func(o []uint32) []uint32 { return append(o, n) }},
		{"empty", func([]uint32) []uint32 { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order := tt.change(table.Order())
			if _, ok := (ReadOptions{}).ReadOwnerTableInOrder(body, order); ok {
				t.Error("ReadOwnerTableInOrder took a wrong order")
			}
		})
	}
}

func TestOwnerTableInOrderSingleRow(t *testing.T) {
	body := periodOwners(1, func(int) string { return "" })
	for _, order := range [][]uint32{{1}, {^uint32(0)}} {
		if _, ok := (ReadOptions{}).ReadOwnerTableInOrder(body, order); ok {
			t.Errorf("ReadOwnerTableInOrder took order %v for one row", order)
		}
	}
}

func TestOwnerTableInOrderDuplicateIDs(t *testing.T) {
	body := ownersWithEmails([]string{"a@example.com", "b@example.com", "A@example.com"})
	if _, ok := (ReadOptions{}).ReadOwnerTable(body); ok {
		t.Fatal("ReadOwnerTable took an export with one owner twice")
	}
	for _, order := range [][]uint32{{0, 2, 1}, {2, 0, 1}, {0, 1, 2}} {
		if _, ok := (ReadOptions{}).ReadOwnerTableInOrder(body, order); ok {
			t.Errorf("ReadOwnerTableInOrder took order %v of an export with one owner twice", order)
		}
	}
}

// FuzzReadOwnerTableInOrder checks that ReadOwnerTableInOrder takes an
// order only when it is the order of ReadOwnerTable, and never panics.
func FuzzReadOwnerTableInOrder(f *testing.F) {
	for _, tt := range ownerRowsTests {
		f.Add([]byte(tt.body), []byte{0, 0, 0, 0, 1, 0, 0, 0})
	}
	f.Add(readTestdataF(f, "owners.json"), []byte{})
	f.Fuzz(func(t *testing.T, body, orderBytes []byte) {
		order := make([]uint32, len(orderBytes)/4)
		for i := range order {
			order[i] = binary.LittleEndian.Uint32(orderBytes[4*i:])
		}
		want, wantOK := ReadOptions{}.ReadOwnerTable(body)
		if wantOK && len(order) == 0 {
			// Also try the right order, which random bytes rarely give.
			order = want.Order()
		}
		got, ok := ReadOptions{}.ReadOwnerTableInOrder(body, order)
		if !ok {
			if wantOK && slices.Equal(order, want.Order()) {
				t.Fatal("ReadOwnerTableInOrder rejected the order of ReadOwnerTable")
			}
			return
		}
		if !wantOK {
			t.Fatal("ReadOwnerTableInOrder took an input that ReadOwnerTable rejects")
		}
		if !slices.Equal(order, want.Order()) {
			t.Fatalf("ReadOwnerTableInOrder took order %v, want %v", order, want.Order())
		}
		if d := cmp.Diff(tableRows(want), tableRows(got), cmpAmount); d != "" {
			t.Fatalf("rows differ from ReadOwnerTable's (-want +got):\n%s", d)
		}
	})
}
