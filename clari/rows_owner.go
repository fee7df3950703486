package clari

import (
	"bytes"
	"cmp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/clariwatch/clariwatch/diff"
)

// span is the position of a string: b[start:end] in the scanned input
// while an entry is scanned, then text[start:end] in ownerScanner's text.
type span struct{ start, end uint32 }

// ownerRecord is one entry of the per-owner shape, as ReadOwnerRows
// scans it. It holds no pointer, so the garbage collector does not scan
// the records. Its period is a span of the input.
type ownerRecord struct {
	id, email, name, period span
	value                   diff.Amount
}

// changedID marks the span of an owner id that is not in the text: its
// end is an index into ownerScanner.changed.
const changedID = ^uint32(0)

// Bits of the keys seen in an entry.
const (
	keyEmail uint8 = 1 << iota
	keyName
	keyID
	keyPeriod
	keyAmount
)

// ReadOwnerRows returns the rows of the export in body when body is in
// the common form of the per-owner shape, and false for any other input,
// valid or not, which [ReadOptions.Read] then decodes. The rows are those
// that Read followed by [Export.Rows] returns. Their strings share a few
// large buffers, which hold the emails, names and ids of body. Going
// straight to rows takes a fraction of the time and memory of building
// the [Export].
//
// The common form has one top-level object with the keys "period" and
// "entries" only. Its entries have the keys "ownerEmail", "ownerName",
// "ownerId", "period" and "forecastAmount" only, spelled exactly so, and
// each has a number as its amount. Strings have no escapes and are valid
// UTF-8. All entries have one period and distinct owners.
func (o ReadOptions) ReadOwnerRows(body []byte) ([]diff.Row, bool) {
	if len(body) >= 1<<32-1 || len(bytes.TrimSpace(body)) == 0 {
		return nil, false
	}
	sc := ownerScanner{b: body, split: -1}
	// Every entry has a '{', so this count bounds the entries.
	sc.recs = make([]ownerRecord, 0, bytes.Count(body, []byte{'{'}))
	sc.reserveText(len(body))
	if !sc.export() {
		return nil, false
	}
	period := string(sc.b[sc.period.start:sc.period.end])
	if period == "" {
		period = o.Period
	}
	return sc.rows(period)
}

// ownerScanner scans the common form of the per-owner shape in b. It
// copies the emails, names and ids of the entries, in the order of the
// entries, into text, so that each string of the rows is a substring of
// one string and takes no allocation of its own. Copying them during the
// scan reads b once, in order, and copies far less than string(b) would.
type ownerScanner struct {
	b      []byte
	pos    int
	period span // the top-level "period", in b
	recs   []ownerRecord
	// more holds the records from split on, when split is not -1: those
	// of the second half, see ownerHalf. Their strings are in texts[1].
	more  []ownerRecord
	split int
	// text holds the strings of recs: the spans of a record's email, name
	// and id are positions in it.
	text  strings.Builder
	texts [2]string
	// changed holds the owner ids that differ from their email, which
	// was trimmed or lower-cased.
	changed []string
}

// reserveText reserves room in text for the strings of n bytes of input.
// Strings take about a third of a typical entry. Room never written takes
// no physical memory when the runtime gets it fresh from the OS, and a
// text that outgrows the room is copied, which leaves its spans valid.
func (sc *ownerScanner) reserveText(n int) { sc.text.Grow(n/2 + 64) }

// keep copies the string at sp in b to text and returns its new span.
func (sc *ownerScanner) keep(sp span) span {
	start := sc.text.Len()
	sc.text.Write(sc.b[sp.start:sp.end])
	return span{uint32(start), uint32(sc.text.Len())}
}

// record returns record i and the text that holds its strings.
func (sc *ownerScanner) record(i int) (*ownerRecord, string) {
	if sc.split >= 0 && i >= sc.split {
		return &sc.more[i-sc.split], sc.texts[1]
	}
	return &sc.recs[i], sc.texts[0]
}

// id returns the owner id of record i.
func (sc *ownerScanner) id(i int) string {
	r, text := sc.record(i)
	if r.id.start == changedID {
		return sc.changed[r.id.end]
	}
	return text[r.id.start:r.id.end]
}

func (sc *ownerScanner) space() {
	for sc.pos < len(sc.b) {
		switch sc.b[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

// next skips white space and consumes c when it comes next.
func (sc *ownerScanner) next(c byte) bool {
	sc.space()
	if sc.pos < len(sc.b) && sc.b[sc.pos] == c {
		sc.pos++
		return true
	}
	return false
}

// str scans a string with no escape and returns its span.
func (sc *ownerScanner) str() (span, bool) {
	if !sc.next('"') {
		return span{}, false
	}
	start, j, ascii := sc.pos, sc.pos, true
	for j < len(sc.b) && plainByte[sc.b[j]] {
		j++
	}
	for j < len(sc.b) && sc.b[j] != '"' {
		if c := sc.b[j]; c < 0x20 || c == '\\' {
			return span{}, false
		}
		ascii = false
		j++
	}
	if j == len(sc.b) || (!ascii && !utf8.Valid(sc.b[start:j])) {
		return span{}, false
	}
	sc.pos = j + 1
	return span{uint32(start), uint32(j)}, true
}

// amount scans a number that fastAmount converts.
func (sc *ownerScanner) amount() (diff.Amount, bool) {
	sc.space()
	j := sc.pos
	for j < len(sc.b) && isNumberByte(sc.b[j]) {
		j++
	}
	lit := sc.b[sc.pos:j]
	if len(lit) == 0 || !validNumber(lit) {
		return diff.Amount{}, false
	}
	sc.pos = j
	return fastAmount(lit)
}

// object scans an object whose members member scans, after their key.
func (sc *ownerScanner) object(member func(key []byte) bool) bool {
	if !sc.next('{') {
		return false
	}
	if sc.next('}') {
		return true
	}
	for {
		key, ok := sc.str()
		if !ok || !sc.next(':') || !member(sc.b[key.start:key.end]) {
			return false
		}
		if sc.next('}') {
			return true
		}
		if !sc.next(',') {
			return false
		}
	}
}

// export scans the top-level object and the end of the input.
func (sc *ownerScanner) export() bool {
	var seenPeriod, seenEntries bool
	ok := sc.object(func(key []byte) bool {
		var ok bool
		switch {
		case string(key) == "period" && !seenPeriod:
			seenPeriod = true
			sc.period, ok = sc.str()
		case string(key) == "entries" && !seenEntries:
			seenEntries = true
			ok = sc.entries()
		}
		return ok
	})
	sc.space()
	return ok && seenEntries && sc.pos == len(sc.b)
}

// entries scans the entries array. The entries of a large input are
// scanned in two halves at once: see ownerHalf.
func (sc *ownerScanner) entries() bool {
	if !sc.next('[') {
		return false
	}
	if sc.next(']') {
		return true
	}
	h := sc.startHalf()
	if h == nil {
		ok, _ := sc.entryList(-1)
		return ok
	}
	defer func() { <-h.done }()
	ok, reached := sc.entryList(h.start)
	if reached {
		return sc.join(h)
	}
	return ok
}

// splitSize is the size of the rest of the input from which entries
// scans the second half of the entries on another goroutine.
const splitSize = 1 << 20

// ownerHalf is the scan of the entries from start, a guess at the start
// of an entry past the middle of the input, to the end of the array. The
// first scan uses it only if it reaches start as the start of an entry:
// from there on both scans read the same bytes in the same state, so
// they get the same records. Otherwise the first scan goes on alone, for
// example when the guess was inside a string.
type ownerHalf struct {
	sc    ownerScanner
	start int
	ok    bool
	done  chan struct{}
}

// startHalf starts scanning the second half of the entries, or returns
// nil for a small input or when it finds no guess.
func (sc *ownerScanner) startHalf() *ownerHalf {
	if len(sc.b)-sc.pos < splitSize {
		return nil
	}
	start := sc.entryAfter(sc.pos + (len(sc.b)-sc.pos)/2)
	if start < 0 {
		return nil
	}
	h := &ownerHalf{start: start, done: make(chan struct{})}
	h.sc = ownerScanner{b: sc.b, pos: start, split: -1}
	h.sc.recs = make([]ownerRecord, 0, bytes.Count(sc.b[start:], []byte{'{'}))
	h.sc.reserveText(len(sc.b) - start)
	go func() {
		defer close(h.done)
		h.ok, _ = h.sc.entryList(-1)
	}()
	return h
}

// entryList scans entries separated by commas up to the closing ']'. It
// stops early, with reached true, when an entry starts at offset stop;
// pass -1 to scan to the end.
func (sc *ownerScanner) entryList(stop int) (ok, reached bool) {
	for {
		if sc.pos == stop {
			return true, true
		}
		sc.recs = append(sc.recs, ownerRecord{})
		if !sc.entry(&sc.recs[len(sc.recs)-1]) {
			return false, false
		}
		if sc.next(']') {
			return true, false
		}
		if !sc.next(',') {
			return false, false
		}
		sc.space()
	}
}

// entryAfter returns the position of a '{' that follows "}," and white
// space at or after i, a guess at the start of an entry, or -1.
func (sc *ownerScanner) entryAfter(i int) int {
	for range 64 {
		j := bytes.Index(sc.b[i:], []byte("},"))
		if j < 0 {
			return -1
		}
		i += j + 2
		k := i
		for k < len(sc.b) && (sc.b[k] == ' ' || sc.b[k] == '\t' || sc.b[k] == '\n' || sc.b[k] == '\r') {
			k++
		}
		if k < len(sc.b) && sc.b[k] == '{' {
			return k
		}
	}
	return -1
}

// join waits for h and takes its records as sc.more. The first scan has reached
// h.start as the start of an entry, so an error in h is an error of the
// input.
func (sc *ownerScanner) join(h *ownerHalf) bool {
	<-h.done
	if !h.ok {
		return false
	}
	offset := uint32(len(sc.changed))
	sc.split = len(sc.recs)
	sc.texts[1] = h.sc.text.String()
	sc.more = h.sc.recs
	for i := range sc.more {
		if r := &sc.more[i]; r.id.start == changedID {
			r.id.end += offset
		}
	}
	sc.changed = append(sc.changed, h.sc.changed...)
	sc.pos = h.sc.pos
	return true
}

// entry scans one entry into r. It rejects a repeated key and an entry
// with no amount, which Rows would skip.
func (sc *ownerScanner) entry(r *ownerRecord) bool {
	var keys uint8
	ok := sc.object(func(key []byte) bool {
		var bit uint8
		var ok bool
		switch string(key) {
		case "ownerEmail":
			bit = keyEmail
			r.email, ok = sc.str()
		case "ownerName":
			bit = keyName
			r.name, ok = sc.str()
		case "ownerId":
			bit = keyID
			r.id, ok = sc.str()
		case "period":
			bit = keyPeriod
			r.period, ok = sc.str()
		case "forecastAmount":
			bit = keyAmount
			r.value, ok = sc.amount()
		}
		if keys&bit != 0 {
			return false
		}
		keys |= bit
		return ok
	})
	if !ok || keys&keyAmount == 0 {
		return false
	}
	email := sc.b[r.email.start:r.email.end]
	ownID := r.id.start != r.id.end
	if ownID {
		r.id = sc.keep(r.id)
	}
	r.email, r.name = sc.keep(r.email), sc.keep(r.name)
	if ownID {
		return true
	}
	// As convertOwners does: ownerId, else the email trimmed and
	// lower-cased.
	if isLowerID(email) {
		r.id = r.email
		return true
	}
	id := strings.ToLower(strings.TrimSpace(string(email)))
	switch {
	case id == "":
		return false
	case id == string(email):
		r.id = r.email
	default:
		r.id = span{changedID, uint32(len(sc.changed))}
		sc.changed = append(sc.changed, id)
	}
	return true
}

// isLowerID reports whether b is not empty, all ASCII, and has no
// upper-case letter and no space at either end: whether trimming and
// lower-casing leave it as it is.
func isLowerID(b []byte) bool {
	if len(b) == 0 || b[0] <= ' ' || b[len(b)-1] <= ' ' {
		return false
	}
	for _, c := range b {
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// rows sorts the records by owner id and builds their rows. It reports
// false when two records have one owner or when they do not all have
// one period, top being the period of those that name none.
func (sc *ownerScanner) rows(top string) ([]diff.Row, bool) {
	n := len(sc.recs) + len(sc.more)
	if n == 0 {
		return nil, false
	}
	sc.texts[0] = sc.text.String()
	period := top
	if first, _ := sc.record(0); first.period.start != first.period.end {
		p := first.period
		period = string(sc.b[p.start:p.end])
	}
	if period == "" {
		return nil, false
	}

	items := make([]rowItem, n)
	for i := range n {
		r, _ := sc.record(i)
		p := r.period
		named := p.start != p.end
		if (named && string(sc.b[p.start:p.end]) != period) || (!named && top != period) {
			return nil, false
		}
		items[i] = rowItem{prefix: idPrefix(sc.id(i)), entry: int32(i)}
	}
	sortItems(items, 1, func(a, b rowItem) int {
		return cmp.Or(cmp.Compare(a.prefix, b.prefix), strings.Compare(sc.id(int(a.entry)), sc.id(int(b.entry))))
	})

	rows := make([]diff.Row, n)
	if n < 1<<16 {
		return rows, sc.fill(rows, items, period, 0, n)
	}
	// Two goroutines fill the two halves, which are different rows.
	half := n / 2
	var firstOK bool
	var wg sync.WaitGroup
	wg.Go(func() { firstOK = sc.fill(rows, items, period, 0, half) })
	ok := sc.fill(rows, items, period, half, n)
	wg.Wait()
	if !firstOK || !ok {
		return nil, false
	}
	return rows, true
}

// fill builds rows[lo:hi] from items[lo:hi], the sorted records. It
// reports false when a record has the owner of the one before it.
func (sc *ownerScanner) fill(rows []diff.Row, items []rowItem, period string, lo, hi int) bool {
	prev := ""
	if lo > 0 {
		prev = sc.id(int(items[lo-1].entry))
	}
	for k := lo; k < hi; k++ {
		i := int(items[k].entry)
		r, text := sc.record(i)
		id := sc.id(i)
		if k > 0 && id == prev {
			return false
		}
		prev = id
		// Field by field, not a composite literal: that one is built
		// aside and copied with a bulk write barrier while the garbage
		// collector runs.
		row := &rows[k]
		row.Period = period
		row.OwnerID = id
		row.Email = text[r.email.start:r.email.end]
		row.Name = text[r.name.start:r.name.end]
		row.Field = OwnerFieldID
		row.FieldName = OwnerFieldName
		row.Value = r.value
	}
	return true
}
