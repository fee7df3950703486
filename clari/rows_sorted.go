package clari

import (
	"cmp"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
)

// Exports list the entries of one user and field together, week after
// week. So Rows first folds each run of consecutive entries with the same
// key into the run's latest entry, in entry order as rowsByMap does. Then
// it sorts one item per run. A key that appears in two runs sends Rows
// back to rowsByMap, which folds all the key's entries in entry order.

// rowItem is one run of entries: the rank of its period, the first eight
// bytes of its user id and the entry that the run keeps. When the users
// are listed in the order of the entries, it also contains the index of
// its user.
type rowItem struct {
	prefix uint64
	period int32
	entry  int32
	user   int32
}

// idPrefix returns the first eight bytes of s, padded with zeros, as a
// big-endian number: a < b as strings implies idPrefix(a) <= idPrefix(b).
func idPrefix(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

// rowRuns returns one item per run of entries with a value and the same
// key, sorted by key, or nil when a key appears in more than one run.
// aligned reports that the item's user field holds the index of its
// user: the export has one period, each user is listed once and in the
// order in which the entries first name them, as exports list them.
func (e *Export) rowRuns() (items []rowItem, aligned bool, err error) {
	starts := e.frameStarts()
	items = make([]rowItem, 0, len(e.Entries)/8+16)
	var periods []string
	cur, nextUser := -1, 0
	aligned = true
	for i := range e.Entries {
		en := &e.Entries[i]
		if en.ForecastValue == nil {
			continue
		}
		if err := en.checkKey(i); err != nil {
			return nil, false, err
		}
		if cur >= 0 {
			c := &e.Entries[cur]
			if c.UserID == en.UserID && c.FieldID == en.FieldID && c.TimePeriodID == en.TimePeriodID {
				if compareFrames(en.TimeFrameID, c.TimeFrameID, starts) >= 0 {
					cur = i
					items[len(items)-1].entry = int32(i)
				}
				continue
			}
		}
		it := rowItem{prefix: idPrefix(string(en.UserID)), period: int32(len(periods) - 1), entry: int32(i), user: -1}
		if it.period < 0 || periods[it.period] != en.TimePeriodID {
			if it.period = int32(slices.Index(periods, en.TimePeriodID)); it.period < 0 {
				it.period = int32(len(periods))
				periods = append(periods, en.TimePeriodID)
			}
		}
		switch {
		case !aligned:
		case cur >= 0 && e.Entries[cur].UserID == en.UserID:
			it.user = items[len(items)-1].user
		case nextUser < len(e.Users) && e.Users[nextUser].UserID == en.UserID:
			it.user = int32(nextUser)
			nextUser++
		default:
			aligned = false
		}
		cur = i
		items = append(items, it)
	}
	rankPeriods(items, periods)
	sortItems(items, len(periods), e.compareItems)
	aligned = aligned && len(periods) <= 1
	for k := 1; k < len(items); k++ {
		a, b := items[k-1], items[k]
		if e.compareItems(a, b) == 0 {
			return nil, false, nil
		}
		// A user listed twice would show here as one user with two
		// indexes; the first one listed must win, so give up the indexes.
		if aligned && a.user != b.user && a.prefix == b.prefix && e.Entries[a.entry].UserID == e.Entries[b.entry].UserID {
			aligned = false
		}
	}
	return items, aligned, nil
}

// sortItems sorts items as slices.SortFunc(items, compare) does, for a
// compare that orders by period, then prefix, then anything else. It
// sorts by period and prefix with a radix sort, eight bits at a time,
// then each run of items with the same period and prefix with compare.
// The period of each item is below periods.
func sortItems(items []rowItem, periods int, compare func(a, b rowItem) int) {
	if len(items) < 512 {
		slices.SortFunc(items, compare)
		return
	}
	src, dst := items, make([]rowItem, len(items))
	var count [256]int
	for shift := 0; shift < 64; shift += 8 {
		clear(count[:])
		for _, it := range src {
			count[byte(it.prefix>>shift)]++
		}
		if count[byte(src[0].prefix>>shift)] == len(src) {
			continue // every item has this byte
		}
		pos := 0
		for b, c := range count {
			count[b], pos = pos, pos+c
		}
		for _, it := range src {
			b := byte(it.prefix >> shift)
			dst[count[b]] = it
			count[b]++
		}
		src, dst = dst, src
	}
	if periods > 1 {
		start := make([]int, periods+1)
		for _, it := range src {
			start[it.period+1]++
		}
		for p := 1; p <= periods; p++ {
			start[p] += start[p-1]
		}
		for _, it := range src {
			dst[start[it.period]] = it
			start[it.period]++
		}
		src = dst
	}
	copy(items, src)
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].period == items[i].period && items[j].prefix == items[i].prefix {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(items[i:j], compare)
		}
		i = j
	}
}

// rankPeriods replaces the period index of each item, an index into
// periods, by the period's rank in string order.
func rankPeriods(items []rowItem, periods []string) {
	if len(periods) < 2 {
		return
	}
	order := make([]int, len(periods))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(periods[a], periods[b]) })
	rank := make([]int32, len(periods))
	for r, i := range order {
		rank[i] = int32(r)
	}
	for k := range items {
		items[k].period = rank[items[k].period]
	}
}

// compareItems orders items by period, user id and field id.
func (e *Export) compareItems(a, b rowItem) int {
	if c := cmp.Compare(a.period, b.period); c != 0 {
		return c
	}
	if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
		return c
	}
	ea, eb := &e.Entries[a.entry], &e.Entries[b.entry]
	if c := strings.Compare(string(ea.UserID), string(eb.UserID)); c != 0 {
		return c
	}
	return strings.Compare(ea.FieldID, eb.FieldID)
}

// rowsFromItems builds the rows of sorted items. With aligned, each item
// holds the index of its user.
func (e *Export) rowsFromItems(items []rowItem, aligned bool) []diff.Row {
	var users *userFinder
	if !aligned {
		users = e.userFinder()
	}
	fieldNames := make(map[string]string, len(e.Fields))
	for _, f := range e.Fields {
		if _, ok := fieldNames[f.FieldID]; !ok {
			fieldNames[f.FieldID] = f.FieldName
		}
	}
	rows := make([]diff.Row, len(items))
	lastField, lastName := "", ""
	for k, it := range items {
		en := &e.Entries[it.entry]
		if k == 0 || en.FieldID != lastField {
			lastField, lastName = en.FieldID, en.FieldID
			if name := fieldNames[en.FieldID]; name != "" {
				lastName = name
			}
		}
		r := &rows[k]
		*r = diff.Row{
			Period:    en.TimePeriodID,
			OwnerID:   string(en.UserID),
			Field:     en.FieldID,
			FieldName: lastName,
			Value:     *en.ForecastValue,
		}
		if aligned {
			u := &e.Users[it.user]
			r.Email, r.Name = u.Email, u.Name
		} else if u := users.find(it, en.UserID); u != nil {
			r.Email, r.Name = u.Email, u.Name
		}
	}
	return rows
}

// userFinder looks up users by id for rows sorted by period and user id:
// it walks the users sorted by id once per period, so each lookup moves
// forward. Of two users with one id, the first in the export wins.
type userFinder struct {
	e      *Export
	sorted []rowItem // prefix of the user id and the index in e.Users
	period int32
	next   int
}

func (e *Export) userFinder() *userFinder {
	f := &userFinder{e: e, sorted: make([]rowItem, len(e.Users)), period: -1}
	for i := range e.Users {
		f.sorted[i] = rowItem{prefix: idPrefix(string(e.Users[i].UserID)), entry: int32(i)}
	}
	slices.SortFunc(f.sorted, func(a, b rowItem) int {
		if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		if c := strings.Compare(string(e.Users[a.entry].UserID), string(e.Users[b.entry].UserID)); c != 0 {
			return c
		}
		return cmp.Compare(a.entry, b.entry)
	})
	return f
}

// find returns the user with the id of row item it, or nil. Successive
// calls must come in the order of rowRuns. A lookup that does not find
// its user within a few steps of the last one binary-searches the rest,
// so many periods or sparse users cost O(log n) a lookup.
func (f *userFinder) find(it rowItem, id ID) *User {
	if it.period != f.period {
		f.period, f.next = it.period, 0
	}
	for step := 0; f.next < len(f.sorted); step++ {
		c := f.compare(f.sorted[f.next], it.prefix, id)
		if c == 0 {
			return &f.e.Users[f.sorted[f.next].entry]
		}
		if c > 0 {
			return nil
		}
		if step != 8 {
			f.next++
			continue
		}
		// Eight steps did not reach the user, so search the rest. The
		// search lands on the user or past it, and the next step ends.
		rest := f.sorted[f.next:]
		n, _ := slices.BinarySearchFunc(rest, it, func(s, it rowItem) int { return f.compare(s, it.prefix, id) })
		f.next += n
	}
	return nil
}

// compare orders the user of sorted item s against a user id and its
// prefix.
func (f *userFinder) compare(s rowItem, prefix uint64, id ID) int {
	if c := cmp.Compare(s.prefix, prefix); c != 0 {
		return c
	}
	return strings.Compare(string(f.e.Users[s.entry].UserID), string(id))
}
