package clari

import (
	"bytes"
	"encoding/binary"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/clariwatch/clariwatch/diff"
)

// span is the position of a string. While an entry is scanned, it is
// b[start:end] in the input. Then it is text[start:end] in the text that
// ownerRecords.record returns with the record.
type span struct{ start, end uint32 }

// ownerRecord is one entry of the per-owner shape, as ownerScanner scans
// it. It holds no pointer, so the garbage collector does not scan the
// records.
type ownerRecord struct {
	id, email, name span
	value           diff.Amount
}

// changedID marks the span of an owner id that is not in the text: its
// end is an index into ownerRecords.changed.
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
// large buffers, which hold copies of the emails, names and ids of body,
// so body may change once ReadOwnerRows returns. Going straight to rows
// takes a fraction of the time and memory of building the [Export].
// [ReadOptions.ReadOwnerTable] takes the same inputs and returns the same
// rows without copying them.
//
// The common form has one top-level object with the keys "period" and
// "entries" only. Its entries have the keys "ownerEmail", "ownerName",
// "ownerId", "period" and "forecastAmount" only, spelled exactly so, and
// each has a number as its amount. Strings have no escapes and are valid
// UTF-8. All entries have one period and distinct owners.
func (o ReadOptions) ReadOwnerRows(body []byte) ([]diff.Row, bool) {
	t, ok := o.readOwners(body, true)
	if !ok {
		return nil, false
	}
	n := t.Len()
	rows := make([]diff.Row, n)
	if n < 1<<16 {
		t.fill(rows, 0, n)
		return rows, true
	}
	// Two goroutines fill the two halves, which are different rows.
	half := n / 2
	var wg sync.WaitGroup
	wg.Go(func() { t.fill(rows, 0, half) })
	t.fill(rows, half, n)
	wg.Wait()
	return rows, true
}

// ownerRecords holds the records of the entries, in the order of the
// entries. They are recs and then, when split is not -1, more, which the
// scan of the second half filled (see ownerHalf). The spans of a record's
// email, name and id are positions in texts[0] for recs and in texts[1]
// for more.
type ownerRecords struct {
	recs  []ownerRecord
	more  []ownerRecord
	split int
	texts [2]string
	// changed holds the owner ids that differ from their email, which
	// was trimmed or lower-cased.
	changed []string
}

// len returns the number of records.
func (rs *ownerRecords) len() int { return len(rs.recs) + len(rs.more) }

// record returns record i and the text that holds its strings.
func (rs *ownerRecords) record(i int) (*ownerRecord, string) {
	if rs.split >= 0 && i >= rs.split {
		return &rs.more[i-rs.split], rs.texts[1]
	}
	return &rs.recs[i], rs.texts[0]
}

// recordID returns the owner id of r, whose strings are in text.
func (rs *ownerRecords) recordID(r *ownerRecord, text string) string {
	if r.id.start == changedID {
		return rs.changed[r.id.end]
	}
	return text[r.id.start:r.id.end]
}

// id returns the owner id of record i.
func (rs *ownerRecords) id(i int) string {
	r, text := rs.record(i)
	return rs.recordID(r, text)
}

// ownerScanner scans the common form of the per-owner shape in b into
// records. With copyText, it copies the emails, names and ids of the
// entries, in the order of the entries, into text, so that each string of
// the rows is a substring of one string and takes no allocation of its
// own. Copying them during the scan reads b once, in order, and copies
// far less than string(b) would. Without copyText, the spans stay
// positions in b.
type ownerScanner struct {
	ownerRecords
	b        []byte
	pos      int
	period   span // the top-level "period", in b
	copyText bool
	text     strings.Builder
	// entryPeriod is the first non-empty period that an entry names, in
	// b, when namedPeriod is set. unnamedPeriod is set when an entry names
	// no period or an empty one.
	entryPeriod   span
	namedPeriod   bool
	unnamedPeriod bool
	// layout is the layout of the last entry that entryMembers scanned.
	// noLayout turns it off, so that tests can compare both paths.
	layout   entryLayout
	noLayout bool
}

// reserveText reserves room in text for the strings of n bytes of input.
// Strings take about a third of a typical entry. Room never written takes
// no physical memory when the runtime gets it fresh from the OS, and a
// text that outgrows the room is copied, which leaves its spans valid.
func (sc *ownerScanner) reserveText(n int) {
	if sc.copyText {
		sc.text.Grow(n/2 + 64)
	}
}

// keep copies the string at sp in b to text and returns its new span.
// Without copyText it returns sp.
func (sc *ownerScanner) keep(sp span) span {
	if !sc.copyText {
		return sp
	}
	start := sc.text.Len()
	sc.text.Write(sc.b[sp.start:sp.end])
	return span{uint32(start), uint32(sc.text.Len())}
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
	end, ok := stringEnd(sc.b, sc.pos)
	if !ok {
		return span{}, false
	}
	start := sc.pos
	sc.pos = end + 1
	return span{uint32(start), uint32(end)}, true
}

// stringEnd returns the index of the quote that closes the string whose
// content starts at b[start]. It reports false when the content has a
// backslash, a control character or invalid UTF-8, or when no quote
// closes it.
func stringEnd(b []byte, start int) (int, bool) {
	j := start
	for j+8 <= len(b) && plainWord(binary.LittleEndian.Uint64(b[j:])) {
		j += 8
	}
	for j < len(b) && plainByte[b[j]] {
		j++
	}
	ascii := true
	for j < len(b) && b[j] != '"' {
		if c := b[j]; c < 0x20 || c == '\\' {
			return 0, false
		}
		ascii = false
		j++
	}
	if j == len(b) || (!ascii && !utf8.Valid(b[start:j])) {
		return 0, false
	}
	return j, true
}

// amount scans a number that fastAmount converts.
func (sc *ownerScanner) amount() (diff.Amount, bool) {
	sc.space()
	end, v, ok := scanAmount(sc.b, sc.pos)
	if ok {
		sc.pos = end
	}
	return v, ok
}

// scanAmount converts the number at b[start] and returns the index of
// the byte after it. The number is the longest run of bytes there that
// isNumberByte accepts. scanAmount reports false unless that run is a
// valid JSON number that fastAmount converts, which is an optional minus,
// at most 12 integer digits, and optionally a point and 1 to 6 decimals.
// It reads the bytes once, where finding the run, validNumber and
// fastAmount would read them three times.
func scanAmount(b []byte, start int) (int, diff.Amount, bool) {
	i, neg := start, false
	if i < len(b) && b[i] == '-' {
		i, neg = i+1, true
	}

	digits := i
	var units int64
	for ; i < len(b) && isDigit(b[i]); i++ {
		units = units*10 + int64(b[i]-'0')
	}
	n := i - digits
	// JSON allows a leading zero only as the whole integer part.
	if n == 0 || n > 12 || (n > 1 && b[digits] == '0') {
		return 0, diff.Amount{}, false
	}

	micros := units * 1_000_000
	if i < len(b) && b[i] == '.' {
		i++
		decimals := i
		for scale := int64(100_000); i < len(b) && isDigit(b[i]); i++ {
			micros += int64(b[i]-'0') * scale
			scale /= 10
		}
		if n := i - decimals; n == 0 || n > 6 {
			return 0, diff.Amount{}, false
		}
	}

	// A number byte here, such as an exponent, a second point or a
	// sign, makes the run invalid or one that fastAmount does not convert.
	if i < len(b) && isNumberByte(b[i]) {
		return 0, diff.Amount{}, false
	}
	if neg {
		micros = -micros
	}
	return i, diff.AmountFromMicros(micros), true
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
		sc.reserveRecords(len(sc.b))
		ok, _ := sc.entryList(-1)
		return ok
	}
	defer h.wait()
	// The first half grows its records and text past this room only when
	// it does not reach h.start as the start of an entry.
	sc.reserveRecords(h.start)
	ok, reached := sc.entryList(h.start)
	if reached {
		return sc.join(h)
	}
	return ok
}

// testHookHalfStarted runs on the goroutine of a second-half scan before
// it scans. Tests set it.
var testHookHalfStarted = func() {}

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
	// handoff carries a memory fault in a mapped input to the first
	// scan's goroutine.
	handoff *faultHandoff
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
	h := &ownerHalf{start: start, done: make(chan struct{}), handoff: newFaultHandoff()}
	h.sc = ownerScanner{b: sc.b, pos: start, copyText: sc.copyText, noLayout: sc.noLayout}
	h.sc.split = -1
	h.sc.reserveRecords(len(sc.b))
	go func() {
		defer close(h.done)
		h.handoff.run(func() {
			testHookHalfStarted()
			h.ok, _ = h.sc.entryList(-1)
		})
	}()
	return h
}

// wait waits for the scan of h to end and raises its fault, if any, on
// the calling goroutine.
func (h *ownerHalf) wait() {
	<-h.done
	h.handoff.raise()
}

// reserveRecords reserves room for the records and text of the entries
// from pos to end. Every entry has a '{', so their count bounds the
// entries.
func (sc *ownerScanner) reserveRecords(end int) {
	sc.recs = make([]ownerRecord, 0, bytes.Count(sc.b[sc.pos:end], []byte{'{'}))
	sc.reserveText(end - sc.pos)
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
	if h.sc.namedPeriod && !sc.notePeriod(h.sc.entryPeriod) {
		return false
	}
	sc.unnamedPeriod = sc.unnamedPeriod || h.sc.unnamedPeriod
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

// entry scans one entry into r. It rejects a repeated key, an entry with
// no amount, which Rows would skip, and an entry whose period differs
// from that of an earlier one. It tries the layout of an earlier entry
// first, and scans the entry member by member when that does not match.
func (sc *ownerScanner) entry(r *ownerRecord) bool {
	start := sc.pos
	period, ok := sc.matchLayout(r)
	if !ok {
		sc.pos = start
		*r = ownerRecord{}
		if period, ok = sc.entryMembers(r); !ok {
			return false
		}
	}
	return sc.finishEntry(r, period)
}

// entryMembers scans the members of the entry at sc.pos into r and
// returns the span of its period. On success it learns the layout of the
// entry for the entries that follow.
func (sc *ownerScanner) entryMembers(r *ownerRecord) (span, bool) {
	start := sc.pos
	var keys uint8
	var period span
	var values [maxLayoutValues]layoutValue
	count := 0
	ok := sc.object(func(key []byte) bool {
		var bit uint8
		var ok bool
		var value span
		switch string(key) {
		case "ownerEmail":
			bit = keyEmail
			r.email, ok = sc.str()
			value = r.email
		case "ownerName":
			bit = keyName
			r.name, ok = sc.str()
			value = r.name
		case "ownerId":
			bit = keyID
			r.id, ok = sc.str()
			value = r.id
		case "period":
			bit = keyPeriod
			period, ok = sc.str()
			value = period
		case "forecastAmount":
			bit = keyAmount
			sc.space()
			value.start = uint32(sc.pos)
			r.value, ok = sc.amount()
			value.end = uint32(sc.pos)
		}
		if !ok || keys&bit != 0 {
			return false
		}
		keys |= bit
		// Each key sets a new bit, so there are at most
		// maxLayoutValues values.
		values[count] = layoutValue{key: bit, span: value}
		count++
		return true
	})
	if !ok || keys&keyAmount == 0 {
		return span{}, false
	}
	sc.learnLayout(start, values[:count])
	return period, true
}

// finishEntry checks the period of the entry that r holds, copies its
// strings when the scan copies text, and sets its owner id.
func (sc *ownerScanner) finishEntry(r *ownerRecord, period span) bool {
	if !sc.notePeriod(period) {
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
	for len(b) >= 8 {
		if !lowerWord(binary.LittleEndian.Uint64(b)) {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// lowerWord reports whether all eight bytes of x are ASCII and none is
// an upper-case letter. Adding 0x80-'A' to an ASCII byte sets its high
// bit when the byte is at least 'A', and adding 0x80-'Z'-1 sets it when
// the byte is above 'Z'. Neither sum carries into the next byte.
func lowerWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if x&highs != 0 {
		return false
	}
	upper := (x + ones*(0x80-'A')) &^ (x + ones*(0x80-'Z'-1))
	return upper&highs == 0
}

// notePeriod records p, the period of an entry, and reports false when
// p is not empty and differs from the first non-empty one.
func (sc *ownerScanner) notePeriod(p span) bool {
	switch {
	case p.start == p.end:
		sc.unnamedPeriod = true
	case !sc.namedPeriod:
		sc.namedPeriod, sc.entryPeriod = true, p
	default:
		first := sc.b[sc.entryPeriod.start:sc.entryPeriod.end]
		return bytes.Equal(sc.b[p.start:p.end], first)
	}
	return true
}

// rowPeriod returns the period of the rows, top being the period of the
// entries that name none. It reports false when the entries do not all
// have one period, or when that period is empty.
func (sc *ownerScanner) rowPeriod(top string) (string, bool) {
	if !sc.namedPeriod {
		return top, top != ""
	}
	named := sc.b[sc.entryPeriod.start:sc.entryPeriod.end]
	if sc.unnamedPeriod && string(named) != top {
		return "", false
	}
	return string(named), true
}
