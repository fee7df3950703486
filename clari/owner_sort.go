package clari

import (
	"encoding/binary"
	"slices"
	"sort"
	"strings"
	"sync"
)

// ownerItem is a record to sort, as eight bytes of its owner id and its
// index. The prefix holds the id's bytes from an offset, padded with
// zeros: bytes 0 to 7 at first, and later bytes while sortRun sorts a run
// of items whose bytes before that offset are equal. It takes 12 bytes,
// not 16, because it holds the prefix as bytes.
type ownerItem struct {
	prefix [8]byte
	record uint32
}

// parallelSize is the number of items from which sortByID splits its
// work between two goroutines.
const parallelSize = 1 << 16

// compareSize is the length of run up to which sortRun sorts by comparing
// whole ids instead of by radix on the next bytes. From 11 to 100 items a
// run, both sorts took about the same time on 1M generated ids.
const compareSize = 32

// maxRadixDepth is the number of nested radix sorts of runs after which
// sortRun sorts by comparing whole ids. Each nested sort starts at least
// eight bytes further into the ids, so only ids longer than 512 bytes can
// reach it. It bounds the stack of the recursion on crafted input.
const maxRadixDepth = 64

// sortByID returns the indexes of the records ordered by owner id, and
// false when two records have one owner id.
//
// It is a most significant digit radix sort on eight bytes of the id at a
// time. The bytes past the end of an id count as zeros, so a prefix
// orders a shorter id before a longer one that it starts. Two different
// ids with equal padded bytes, which differ only in trailing zero bytes,
// stay in one run until no id of the run has bytes left, and a comparison
// of whole ids sorts that run. Ids with zero bytes do not occur, because
// the scan rejects control characters in strings, but the sort does not
// rely on that.
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
	s := idSorter{rs: rs}
	if !s.sortRuns(items, prefixSize) {
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
// f reads the ids, which may be in a mapped file, so a memory fault on the
// new goroutine panics on the calling one, as ReadOwnerTable documents.
func inHalves(n, mid int, f func(lo, hi int) bool) bool {
	if n < parallelSize {
		return f(0, n)
	}
	var firstOK bool
	var wg sync.WaitGroup
	handoff := newFaultHandoff()
	wg.Go(func() { handoff.run(func() { firstOK = f(0, mid) }) })
	var ok bool
	func() {
		// Even when f panics here, the other call ends before the caller
		// can unmap the ids.
		defer wg.Wait()
		ok = f(mid, n)
	}()
	handoff.raise()
	return firstOK && ok
}

// idSorter sorts runs of items by owner id. It is used by one goroutine
// at a time, because it keeps the buffer of compareSort.
type idSorter struct {
	rs  *ownerRecords
	run []runItem
	// depth is the number of radix sorts of runs that the current one is
	// nested in.
	depth int
}

// runItem is an item of a run with its owner id, so that sorting the run
// looks up each id once.
type runItem struct {
	id     string
	record uint32
}

// sortRuns sorts each run of items with one prefix by the bytes of the
// owner id from offset on, and reports false when two items have one id.
// Two equal ids have one prefix, so only a run can hold them. The
// prefixes must hold the bytes of the ids from offset-prefixSize on, the
// items must be sorted by prefix, and their ids must have equal bytes
// before offset-prefixSize, padded with zeros.
//
// From parallelSize items on, two goroutines sort the runs shorter than
// parallelSize, each on one side of a run boundary near the middle of
// those runs' items. Then both sort each longer run in turn, which sortRun
// splits again.
func (s *idSorter) sortRuns(items []ownerItem, offset int) bool {
	if len(items) < parallelSize {
		return s.sortShortRuns(items, offset, len(items)+1)
	}
	long := longRuns(items)
	mid := splitShortRuns(items, long)
	// The depth is read here, because the calling goroutine's sorts
	// change s.depth while the new goroutine starts its own idSorter.
	depth := s.depth
	ok := inHalves(len(items), mid, func(lo, hi int) bool {
		if lo == 0 {
			// inHalves calls f(0, mid) on a new goroutine, so that call
			// needs an idSorter of its own.
			other := idSorter{rs: s.rs, depth: depth}
			return other.sortShortRuns(items[lo:hi], offset, parallelSize)
		}
		return s.sortShortRuns(items[lo:hi], offset, parallelSize)
	})
	// The runs shorter than parallelSize are sorted first, because sorting
	// a long run changes the prefixes by which sortShortRuns finds runs.
	for _, r := range long {
		if !ok {
			break
		}
		ok = s.sortRun(items[r.start:r.end], offset)
	}
	return ok
}

// sortShortRuns sorts each run of items shorter than limit, as sortRuns
// does, and leaves the longer runs as they are.
func (s *idSorter) sortShortRuns(items []ownerItem, offset, limit int) bool {
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].prefix == items[i].prefix {
			j++
		}
		if j-i > 1 && j-i < limit && !s.sortRun(items[i:j], offset) {
			return false
		}
		i = j
	}
	return true
}

// runBounds is the bounds of the run items[start:end].
type runBounds struct{ start, end int }

// longRuns returns the runs of at least parallelSize items with one
// prefix, in order. The items must be sorted by prefix. Each such run
// holds an index that is a multiple of parallelSize, so longRuns looks up
// the run of each of those indexes by binary search.
func longRuns(items []ownerItem) []runBounds {
	var long []runBounds
	end := 0
	for k := 0; k < len(items); k += parallelSize {
		if k < end {
			continue
		}
		prefix := items[k].prefix
		start := end + sort.Search(k-end, func(i int) bool { return items[end+i].prefix == prefix })
		end = k + sort.Search(len(items)-k, func(i int) bool { return items[k+i].prefix != prefix })
		if end-start >= parallelSize {
			long = append(long, runBounds{start, end})
		}
	}
	return long
}

// splitShortRuns returns the start of the run at which the items of the
// runs that long does not hold reach half their number.
func splitShortRuns(items []ownerItem, long []runBounds) int {
	short := len(items)
	for _, r := range long {
		short -= r.end - r.start
	}
	half := short / 2
	// seen is the number of items of short runs before pos.
	pos, seen := 0, 0
	for _, r := range long {
		if seen+r.start-pos >= half {
			break
		}
		seen += r.start - pos
		pos = r.end
	}
	mid := pos + half - seen
	for mid > 0 && mid < len(items) && items[mid].prefix == items[mid-1].prefix {
		mid++
	}
	return mid
}

// sortRun sorts a run of items by the bytes of the owner id from offset
// on, and reports false when two items have one id. The ids of the items
// must have equal bytes before offset, padded with zeros.
//
// It loads the eight bytes from offset into the prefixes, sorts the items
// by them and sorts the runs of equal prefixes from offset+prefixSize on.
// When all prefixes are equal, it skips the bytes that all ids share
// instead. A run of at most compareSize items, one whose ids have no bytes
// from offset on, or one nested in maxRadixDepth radix sorts, is sorted by
// comparing whole ids.
func (s *idSorter) sortRun(items []ownerItem, offset int) bool {
	for len(items) > compareSize && s.depth < maxRadixDepth {
		longer, same := s.loadPrefixes(items, offset)
		switch {
		case !longer:
			// All padded bytes are equal, so the ids are equal unless
			// some end in zero bytes.
			return s.compareSort(items)
		case same:
			offset = s.skipShared(items, offset)
		default:
			sortPrefixes(items, len(items) >= parallelSize)
			s.depth++
			ok := s.sortRuns(items, offset+prefixSize)
			s.depth--
			return ok
		}
	}
	return s.compareSort(items)
}

// loadPrefixes sets the prefix of each item to the eight bytes of its
// owner id from offset, padded with zeros. It reports whether some id has
// bytes from offset on, and whether all prefixes are equal.
func (s *idSorter) loadPrefixes(items []ownerItem, offset int) (longer, same bool) {
	var longers, diffs [2]bool
	inHalves(len(items), len(items)/2, func(lo, hi int) bool {
		half := 0
		if lo > 0 {
			half = 1
		}
		for k := lo; k < hi; k++ {
			id := s.rs.id(int(items[k].record))
			var prefix [prefixSize]byte
			if offset < len(id) {
				copy(prefix[:], id[offset:])
				longers[half] = true
			}
			items[k].prefix = prefix
		}
		first := items[lo].prefix
		for k := lo + 1; k < hi; k++ {
			if items[k].prefix != first {
				diffs[half] = true
				break
			}
		}
		return true
	})
	same = !diffs[0] && !diffs[1] && items[0].prefix == items[len(items)-1].prefix
	return longers[0] || longers[1], same
}

// skipShared returns offset plus the number of bytes from offset on that
// the owner ids of all items share, or offset+prefixSize when that is
// more. The items must have equal prefixes, loaded from offset.
func (s *idSorter) skipShared(items []ownerItem, offset int) int {
	first := s.rs.id(int(items[0].record))
	common := first[min(offset, len(first)):]
	shared := [2]int{len(common), len(common)}
	inHalves(len(items), len(items)/2, func(lo, hi int) bool {
		common := common
		for k := lo; k < hi; k++ {
			id := s.rs.id(int(items[k].record))
			rest := id[min(offset, len(id)):]
			if strings.HasPrefix(rest, common) {
				continue
			}
			n := 0
			for n < len(common) && n < len(rest) && common[n] == rest[n] {
				n++
			}
			common = common[:n]
		}
		half := 0
		if lo > 0 {
			half = 1
		}
		shared[half] = len(common)
		return true
	})
	return offset + max(min(shared[0], shared[1]), prefixSize)
}

// compareSort sorts a run of items by whole owner id, and reports false
// when two items have one id.
func (s *idSorter) compareSort(items []ownerItem) bool {
	run := s.run[:0]
	for _, it := range items {
		run = append(run, runItem{s.rs.id(int(it.record)), it.record})
	}
	s.run = run
	slices.SortFunc(run, func(a, b runItem) int { return strings.Compare(a.id, b.id) })
	for k := range run {
		if k > 0 && run[k].id == run[k-1].id {
			return false
		}
		items[k].record = run[k].record
	}
	return true
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
