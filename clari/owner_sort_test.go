package clari

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordsWithIDs returns records whose owner ids are ids, in order, with
// all ids in texts[0].
func recordsWithIDs(ids []string) *ownerRecords {
	rs := &ownerRecords{split: -1}
	var text strings.Builder
	for _, id := range ids {
		start := uint32(text.Len())
		text.WriteString(id)
		rs.recs = append(rs.recs, ownerRecord{id: span{start, uint32(text.Len())}})
	}
	rs.texts[0] = text.String()
	return rs
}

// checkSortByID checks that sortByID, on records whose owner ids are ids,
// returns the indexes of the records in the order that sorting the ids by
// strings.Compare gives, and that it returns false exactly when an id
// repeats.
func checkSortByID(t *testing.T, ids []string) {
	t.Helper()
	want := slices.Clone(ids)
	slices.SortFunc(want, strings.Compare)
	wantOK := len(slices.Compact(slices.Clone(want))) == len(want)

	order, ok := recordsWithIDs(ids).sortByID()
	if ok != wantOK {
		t.Fatalf("sortByID of %d ids returned %t, want %t", len(ids), ok, wantOK)
	}
	if !ok {
		return
	}
	if len(order) != len(ids) {
		t.Fatalf("sortByID returned %d indexes for %d ids", len(order), len(ids))
	}
	seen := make([]bool, len(ids))
	got := make([]string, len(order))
	for k, i := range order {
		if seen[i] {
			t.Fatalf("sortByID returned record %d twice", i)
		}
		seen[i] = true
		got[k] = ids[i]
	}
	if k := firstDifference(got, want); k >= 0 {
		t.Fatalf("sortByID of %d ids: id %d is %q, want %q", len(ids), k, got[k], want[k])
	}
}

// firstDifference returns the first index at which a and b differ, or -1.
func firstDifference(a, b []string) int {
	for k := range min(len(a), len(b)) {
		if a[k] != b[k] {
			return k
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// sharedPrefixIDs returns n distinct ids that start with prefix and go on
// with 0 to 16 bytes of "ab@.", so that many ids are prefixes of others
// and ids end on both sides of 8-byte boundaries. The ids are in a random
// order.
func sharedPrefixIDs(rng *rand.Rand, n int, prefix string) []string {
	const alphabet = "ab@."
	ids := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(ids) < n {
		suffix := make([]byte, rng.IntN(17))
		for k := range suffix {
			suffix[k] = alphabet[rng.IntN(len(alphabet))]
		}
		id := prefix + string(suffix)
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// numberedIDs returns the ids fmt.Sprintf(format, i) for i from 0 to n-1,
// in a random order.
func numberedIDs(rng *rand.Rand, n int, format string) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf(format, i)
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}

func TestSortByIDSharedPrefixes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	prefixes := map[int]string{
		0:   "",
		3:   "rep",
		8:   "salesrep",
		16:  "sales.representa",
		24:  "sales.representative.000",
		100: strings.Repeat("0055g000", 12) + "0055",
	}
	for _, shared := range []int{0, 3, 8, 16, 24, 100} {
		for _, n := range []int{2, compareSize + 1, 33, 1000, 5000} {
			t.Run(fmt.Sprintf("shared=%d/n=%d", shared, n), func(t *testing.T) {
				checkSortByID(t, sharedPrefixIDs(rng, n, prefixes[shared]))
			})
		}
	}
}

func TestSortByIDNumbered(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, format := range []string{
		"rep%d@example.com",
		"salesrep%d@example.com",
		"sales.representative.%07d@example.com",
		"0055g0000%06d",
		"%d",
	} {
		t.Run(format, func(t *testing.T) {
			checkSortByID(t, numberedIDs(rng, 20_000, format))
		})
	}
}

func TestSortByIDPrefixesOfEachOther(t *testing.T) {
	var ids []string
	// Every prefix of a 40-byte id, from 1 byte on, and each prefix
	// followed by a space and by a tilde, which sort below and above every
	// byte of the long id.
	long := "sales.representative.1234567@example.com"
	for k := 1; k <= len(long); k++ {
		ids = append(ids, long[:k], long[:k]+" ", long[:k]+"~")
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	rng := rand.New(rand.NewPCG(9, 10))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	checkSortByID(t, ids)
}

func TestSortByIDTrailingZeroBytes(t *testing.T) {
	// The scan rejects control characters in ids, but sortByID must still
	// order ids that the zero padding of a prefix does not tell apart.
	// More than compareSize ids of a base end in zeros, so that they stay
	// in a run of radix sorts until no id of the run has bytes left.
	var ids []string
	for _, base := range []string{"ab", "salesrep", "salesrep12345678"} {
		for zeros := range compareSize + 8 {
			ids = append(ids, base+strings.Repeat("\x00", zeros))
		}
		ids = append(ids, base+"\x00c", base+"\x00\x00\x00\x00\x00\x00\x00\x00c", base+"c")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	checkSortByID(t, ids)

	t.Run("duplicate", func(t *testing.T) {
		checkSortByID(t, append(slices.Clone(ids), "salesrep\x00\x00\x00"))
	})
}

func TestSortByIDDeeplyNested(t *testing.T) {
	// At each multiple of 8 bytes, one id leaves a run of more than
	// compareSize ids that share all bytes before, so that the runs nest
	// more than maxRadixDepth radix sorts deep.
	const levels = maxRadixDepth + 10
	shared := strings.Repeat("a", 8*levels)
	var ids []string
	for level := range levels {
		ids = append(ids, shared[:8*level]+"b")
	}
	for i := range compareSize + 8 {
		ids = append(ids, fmt.Sprintf("%s%02d", shared, i))
	}
	rng := rand.New(rand.NewPCG(19, 20))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	checkSortByID(t, ids)
	checkSortByID(t, append(ids, shared+"07"))
}

func TestSortByIDDuplicates(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	tests := []struct {
		name string
		ids  []string
		// dup is the index of the id that is repeated.
		dup int
	}{
		{name: "short run", ids: sharedPrefixIDs(rng, 5, "salesrep"), dup: 2},
		{name: "shared 8 bytes", ids: sharedPrefixIDs(rng, 3000, "salesrep"), dup: 1234},
		{name: "shared 16 bytes", ids: sharedPrefixIDs(rng, 3000, "sales.representa"), dup: 7},
		{name: "shared 24 bytes", ids: sharedPrefixIDs(rng, 3000, "sales.representative.000"), dup: 2999},
		{name: "shared 100 bytes", ids: sharedPrefixIDs(rng, 3000, strings.Repeat("x", 100)), dup: 0},
		{name: "long run", ids: numberedIDs(rng, 3*parallelSize, "sales.representative.%07d@example.com"), dup: 100_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := slices.Clone(tt.ids)
			// Overwrite an id other than the repeated one, at a random
			// index, so that the two copies are apart in the input.
			other := (tt.dup + 1 + rng.IntN(len(ids)-1)) % len(ids)
			ids[other] = ids[tt.dup]
			checkSortByID(t, ids)
		})
	}
}

func TestSortByIDLongRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	// Three runs of one 8-byte prefix with more than parallelSize ids,
	// which both goroutines sort in turn, among short runs, which each
	// goroutine sorts on its side. In the second run the ids share 22
	// bytes, and in the third they share 8 and then split into two runs
	// of more than parallelSize ids and a short one.
	var ids []string
	ids = append(ids, numberedIDs(rng, 20_000, "a%07d")...)
	ids = append(ids, numberedIDs(rng, parallelSize+5, "salesrep%d@example.com")...)
	ids = append(ids, numberedIDs(rng, 20_000, "m%d")...)
	ids = append(ids, numberedIDs(rng, parallelSize+7, "sales.representative.%07d")...)
	ids = append(ids, numberedIDs(rng, parallelSize+9, "zzzzzzzzaaaaaaaa%d")...)
	ids = append(ids, numberedIDs(rng, parallelSize+3, "zzzzzzzzbbbbbbbb%d")...)
	ids = append(ids, numberedIDs(rng, 20, "zzzzzzzzc%d")...)
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	checkSortByID(t, ids)

	t.Run("duplicate in short run", func(t *testing.T) {
		dup := slices.Clone(ids)
		dup = append(dup, dup[slices.Index(dup, "m1234")])
		checkSortByID(t, dup)
	})
	t.Run("short runs at the split", func(t *testing.T) {
		// Runs of 5 ids, so that the middle of the items is inside a
		// run and the goroutines must split at a run boundary.
		ids := make([]string, 2*parallelSize+10)
		for i := range ids {
			ids[i] = fmt.Sprintf("%08d%d", i/5, i%5)
		}
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		checkSortByID(t, ids)
	})
	t.Run("all one prefix", func(t *testing.T) {
		checkSortByID(t, numberedIDs(rng, 2*parallelSize, "salesrep%d"))
	})
	t.Run("all long runs", func(t *testing.T) {
		ids := numberedIDs(rng, parallelSize, "aaaaaaaa%d")
		ids = append(ids, numberedIDs(rng, parallelSize, "bbbbbbbb%d")...)
		checkSortByID(t, ids)
	})
}

func TestLoadPrefixes(t *testing.T) {
	// The first half of the ids, which one goroutine loads, share the
	// bytes from offset 8 on, and one id of the second half differs there.
	n := parallelSize
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("salesrep12345678%08d", i)
	}
	ids[n-2] = "salesrep12345679"
	rs := recordsWithIDs(ids)
	items := make([]ownerItem, n)
	for i := range items {
		items[i].record = uint32(i)
	}
	s := idSorter{rs: rs}

	longer, same := s.loadPrefixes(items, 8)
	if !longer {
		t.Errorf("loadPrefixes at 8 reported no id longer than 8 bytes")
	}
	if same {
		t.Errorf("loadPrefixes at 8 reported equal prefixes, but id %d differs", n-2)
	}
	if got, want := string(items[n-1].prefix[:]), "12345678"; got != want {
		t.Errorf("prefix of id %d at 8 = %q, want %q", n-1, got, want)
	}
	longer, _ = s.loadPrefixes(items, 16)
	if !longer {
		t.Errorf("loadPrefixes at 16 reported no id longer than 16 bytes")
	}
	if got, want := string(items[n-2].prefix[:]), strings.Repeat("\x00", 8); got != want {
		t.Errorf("prefix of the 16-byte id %d at 16 = %q, want zeros", n-2, got)
	}
	if longer, _ = s.loadPrefixes(items, 24); longer {
		t.Errorf("loadPrefixes at 24 reported an id longer than 24 bytes")
	}
}

// ownersWithIDs returns a per-owner export with one entry for each owner
// id, set as "ownerId" in the even entries and as "ownerEmail" in the odd
// ones.
func ownersWithIDs(ids []string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"period":"P","entries":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteString(",")
		}
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"ownerId":%q,"ownerEmail":"rep%d@example.com","forecastAmount":%d}`, id, i, i)
		} else {
			fmt.Fprintf(&b, `{"ownerEmail":%q,"ownerName":"Rep %d","forecastAmount":%d}`, id, i, i)
		}
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestOwnerTableSharedPrefixes(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	withDuplicate := func(ids []string, dup, other int) []string {
		ids = slices.Clone(ids)
		ids[other] = ids[dup]
		return ids
	}
	shared24 := sharedPrefixIDs(rng, 2000, "sales.representative.000")
	long := numberedIDs(rng, parallelSize+100, "sales.representative.%07d@example.com")
	tests := []struct {
		name  string
		ids   []string
		plain bool
	}{
		{name: "shared 8 bytes", ids: sharedPrefixIDs(rng, 2000, "salesrep"), plain: true},
		{name: "shared 16 bytes", ids: sharedPrefixIDs(rng, 2000, "sales.representa"), plain: true},
		{name: "shared 24 bytes", ids: shared24, plain: true},
		{name: "duplicate in shared 24 bytes", ids: withDuplicate(shared24, 10, 1500)},
		{name: "long run", ids: long, plain: true},
		{name: "duplicate deep in long run", ids: withDuplicate(long, 5, parallelSize+50)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ownersWithIDs(tt.ids)
			table, ok := (ReadOptions{}).ReadOwnerTable(body)
			if ok != tt.plain {
				t.Fatalf("ReadOwnerTable took the input: %t, want %t", ok, tt.plain)
			}
			if _, ok := (ReadOptions{}).ReadOwnerRows(body); ok != tt.plain {
				t.Fatalf("ReadOwnerRows took the input: %t, want %t", ok, tt.plain)
			}
			if !tt.plain {
				return
			}
			got := make([]string, table.Len())
			for i := range got {
				got[i] = table.Row(i).OwnerID
			}
			want := slices.Sorted(slices.Values(tt.ids))
			if k := firstDifference(got, want); k >= 0 {
				t.Fatalf("row %d has owner id %q, want %q", k, got[k], want[k])
			}
			checkTableMatchesRows(t, ReadOptions{}, body)

			rows, err := readAndRows(ReadOptions{}, body)
			if err != nil {
				t.Fatalf("Read and Rows: %v", err)
			}
			if d := cmp.Diff(rows, any(tableRows(table)), cmpAmount); d != "" {
				t.Errorf("table rows differ from Read and Rows (-want +got):\n%s", d)
			}
		})
	}
}

// FuzzSortByID checks sortByID against a sort by strings.Compare on the
// lines of data, each put after shared bytes of a common prefix.
func FuzzSortByID(f *testing.F) {
	f.Add([]byte("b\na\nab\nab\x00\nabc\n"), uint8(0))
	f.Add([]byte("1\n2\n10\n11\n12\n100\n101\n\n3\n4\n5\n"), uint8(8))
	f.Add([]byte("x\nx\x00\nx\x00\x00\ny\nyy\nyyy\nz\nzz\nzzz\nzzzz\n"), uint8(21))
	f.Add([]byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\na\n"), uint8(40))
	// More than compareSize lines, so that sortByID sorts them by radix.
	var numbered []byte
	for i := range 3 * compareSize {
		numbered = fmt.Appendf(numbered, "%d\n%d@x\n", i, i*i)
	}
	f.Add(numbered, uint8(8))
	f.Fuzz(func(t *testing.T, data []byte, shared uint8) {
		prefix := strings.Repeat("sales.re", 8)[:shared%64]
		var ids []string
		for line := range strings.SplitSeq(string(data), "\n") {
			ids = append(ids, prefix+line)
		}
		checkSortByID(t, ids)
	})
}

// TestSortByIDParallelRuns sorts 80,000 ids that share their first eight
// bytes in runs of 100, so that both goroutines of sortRuns radix-sort
// runs while the calling one nests deeper. Under -race it checks that
// the new goroutine does not read the caller's idSorter.
func TestSortByIDParallelRuns(t *testing.T) {
	const n = 80_000
	var b bytes.Buffer
	b.WriteString(`{"period":"P","entries":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"ownerEmail":"rep%07d@example.com","forecastAmount":1}`, (i*7919)%n)
	}
	b.WriteString("]}")
	table, ok := (ReadOptions{}).ReadOwnerTable(b.Bytes())
	if !ok {
		t.Fatal("ReadOwnerTable did not take the export")
	}
	for i := 1; i < table.Len(); i++ {
		if prev, cur := table.Row(i-1).OwnerID, table.Row(i).OwnerID; prev >= cur {
			t.Fatalf("row %d has owner %q after %q, want ascending owners", i, cur, prev)
		}
	}
}
