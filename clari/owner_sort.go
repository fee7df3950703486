package clari

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"
)

// ownerItem is a record to sort, as the first eight bytes of its owner
// id, padded with zeros, and its index. It takes 12 bytes, not 16,
// because it holds the prefix as bytes.
type ownerItem struct {
	prefix [8]byte
	record uint32
}

// parallelSize is the number of items from which sortByID splits its
// work between two goroutines.
const parallelSize = 1 << 16

// sortByID returns the indexes of the records ordered by owner id, and
// false when two records have one owner id.
func (rs *ownerRecords) sortByID() ([]uint32, bool) {
	items := make([]ownerItem, rs.len())
	inHalves(len(items), len(items)/2, func(lo, hi int) bool {
		for i := lo; i < hi; i++ {
			copy(items[i].prefix[:], rs.id(i))
			items[i].record = uint32(i)
		}
		return true
	})
	sortPrefixes(items, len(items) >= parallelSize)

	// Split at the start of a run, so that no run has items in both
	// halves.
	mid := len(items) / 2
	for mid > 0 && mid < len(items) && items[mid].prefix == items[mid-1].prefix {
		mid++
	}
	ok := inHalves(len(items), mid, func(lo, hi int) bool {
		return rs.sortRuns(items[lo:hi])
	})
	if !ok {
		return nil, false
	}

	order := make([]uint32, len(items))
	for k := range items {
		order[k] = items[k].record
	}
	return order, true
}

// inHalves calls f(0, n), or, from parallelSize on, f(0, mid) and
// f(mid, n) on two goroutines. It reports whether all calls returned true.
func inHalves(n, mid int, f func(lo, hi int) bool) bool {
	if n < parallelSize {
		return f(0, n)
	}
	var firstOK bool
	var wg sync.WaitGroup
	wg.Go(func() { firstOK = f(0, mid) })
	ok := f(mid, n)
	wg.Wait()
	return firstOK && ok
}

// sortRuns sorts each run of items with one prefix by the whole owner id,
// and reports false when two items have one id. Two equal ids have one
// prefix, so only a run can hold them.
func (rs *ownerRecords) sortRuns(items []ownerItem) bool {
	var run []runItem
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].prefix == items[i].prefix {
			j++
		}
		if j-i > 1 {
			run = run[:0]
			for _, it := range items[i:j] {
				run = append(run, runItem{rs.id(int(it.record)), it.record})
			}
			slices.SortFunc(run, func(a, b runItem) int { return strings.Compare(a.id, b.id) })
			for k := range run {
				if k > 0 && run[k].id == run[k-1].id {
					return false
				}
				items[i+k].record = run[k].record
			}
		}
		i = j
	}
	return true
}

// runItem is an item of a run with its owner id, so that sorting the run
// looks up each id once.
type runItem struct {
	id     string
	record uint32
}

// prefixSize is the number of bytes of an owner id that ownerItem holds.
const prefixSize = len(ownerItem{}.prefix)

// sortPrefixes sorts items by prefix. It is an in-place most significant
// digit radix sort (American flag sort), so it needs no second slice of
// items. With parallel, the buckets of the first byte that the items do
// not all share are split between two goroutines.
func sortPrefixes(items []ownerItem, parallel bool) {
	var start [257]int
	b := partitionPrefixes(items, 0, &start)
	if b == prefixSize {
		return
	}
	if !parallel {
		sortBuckets(items, b+1, &start, 0, 256)
		return
	}
	// Give the first goroutine the buckets below the one that holds the
	// middle item.
	mid := 0
	for mid < 256 && start[mid+1] <= len(items)/2 {
		mid++
	}
	var wg sync.WaitGroup
	wg.Go(func() { sortBuckets(items, b+1, &start, 0, mid) })
	sortBuckets(items, b+1, &start, mid, 256)
	wg.Wait()
}

// sortPrefixesFrom sorts items by the bytes of their prefix from byte b
// on. The items must have the same bytes before b.
func sortPrefixesFrom(items []ownerItem, b int) {
	var start [257]int
	if b = partitionPrefixes(items, b, &start); b < prefixSize {
		sortBuckets(items, b+1, &start, 0, 256)
	}
}

// sortBuckets sorts the buckets lo to hi-1 of items from byte b on.
func sortBuckets(items []ownerItem, b int, start *[257]int, lo, hi int) {
	for c := lo; c < hi; c++ {
		if start[c+1]-start[c] > 1 {
			sortPrefixesFrom(items[start[c]:start[c+1]], b)
		}
	}
}

// partitionPrefixes puts items in one bucket per value of the first byte
// from b on that the items do not all share, and returns that byte.
// Bucket c is then items[start[c]:start[c+1]]. It returns prefixSize,
// with items sorted, when all their bytes from b on are equal or when
// there are at most 32 items, which it sorts by insertion.
func partitionPrefixes(items []ownerItem, b int, start *[257]int) int {
	if len(items) <= 32 {
		insertionSortPrefixes(items)
		return prefixSize
	}
	var count [256]int
	for ; b < prefixSize; b++ {
		clear(count[:])
		for k := range items {
			count[items[k].prefix[b]]++
		}
		if count[items[0].prefix[b]] != len(items) {
			break
		}
	}
	if b == prefixSize {
		return b
	}

	for c := range 256 {
		start[c+1] = start[c] + count[c]
	}
	// next[c] is the first item of bucket c that is not yet in place.
	next := *start
	for c := range 256 {
		for next[c] < start[c+1] {
			// Move the item at next[c] to its bucket, then the item it
			// displaces, until one that belongs in bucket c comes back.
			it := items[next[c]]
			for d := it.prefix[b]; d != byte(c); d = it.prefix[b] {
				items[next[d]], it = it, items[next[d]]
				next[d]++
			}
			items[next[c]] = it
			next[c]++
		}
	}
	return b
}

// insertionSortPrefixes sorts a few items by prefix.
func insertionSortPrefixes(items []ownerItem) {
	for i := 1; i < len(items); i++ {
		it := items[i]
		key := binary.BigEndian.Uint64(it.prefix[:])
		j := i
		for ; j > 0 && binary.BigEndian.Uint64(items[j-1].prefix[:]) > key; j-- {
			items[j] = items[j-1]
		}
		items[j] = it
	}
}
