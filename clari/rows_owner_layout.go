package clari

import "bytes"

// maxLayoutValues is the number of keys that an entry may have, each
// once.
const maxLayoutValues = 5

// entryLayout is the layout of an entry that entryMembers accepted: its
// values, in order, and the bytes around them. Exports repeat one layout
// for every entry, such as
//
//	{"ownerEmail":"…","ownerName":"…","forecastAmount":…}
//
// so matchLayout scans most entries by comparing the bytes between their
// values and scanning the values alone. An export whose entries alternate
// between layouts fails the match and relearns the layout at every entry,
// which makes its scan a little slower than the member scan alone.
//
// An entry that matches the layout gives the results of the member scan.
// Its bytes between values are those of the learned entry, which the
// member scan accepted, so that scan would see the same keys in the same
// order and reject none as repeated, unknown or missing. matchLayout
// scans each value with stringEnd or scanAmount, as the member scan does,
// and the bytes after each value must match the layout, so both scans
// end each value at the same byte. A matched amount starts with a digit
// or a minus, so the white space that the member scan skips before it is
// all in the layout.
type entryLayout struct {
	// literals[i] is the span, in the input, of the bytes before value
	// i. literals[count] is the span of the bytes after the last value,
	// up to and including the closing brace.
	literals [maxLayoutValues + 1]span
	// keys[i] is the key bit of value i.
	keys [maxLayoutValues]uint8
	// count is the number of values, and 0 before a layout is learned.
	count int
}

// layoutValue is a value of an entry: for a string, the span of its
// content, and for the amount, the span of its number.
type layoutValue struct {
	key  uint8
	span span
}

// learnLayout sets the layout to that of the entry from start to sc.pos,
// whose values are values.
func (sc *ownerScanner) learnLayout(start int, values []layoutValue) {
	if sc.noLayout {
		return
	}
	l := &sc.layout
	prev := uint32(start)
	for i, v := range values {
		l.literals[i] = span{prev, v.span.start}
		l.keys[i] = v.key
		prev = v.span.end
	}
	l.literals[len(values)] = span{prev, uint32(sc.pos)}
	l.count = len(values)
}

// matchLayout scans the entry at sc.pos into r when it matches the
// layout, and returns the span of its period. When it does not match, it
// reports false and leaves sc.pos as it was, but r may be partly set.
func (sc *ownerScanner) matchLayout(r *ownerRecord) (span, bool) {
	l := &sc.layout
	if l.count == 0 {
		return span{}, false
	}
	b, pos := sc.b, sc.pos
	var period span
	for i := range l.count {
		lit := l.literals[i]
		if !bytes.HasPrefix(b[pos:], b[lit.start:lit.end]) {
			return span{}, false
		}
		pos += int(lit.end - lit.start)
		if l.keys[i] == keyAmount {
			end, v, ok := scanAmount(b, pos)
			if !ok {
				return span{}, false
			}
			r.value = v
			pos = end
			continue
		}
		// The literal ends with the opening quote, and the next one
		// starts with the closing quote.
		end, ok := stringEnd(b, pos)
		if !ok {
			return span{}, false
		}
		value := span{uint32(pos), uint32(end)}
		switch l.keys[i] {
		case keyEmail:
			r.email = value
		case keyName:
			r.name = value
		case keyID:
			r.id = value
		case keyPeriod:
			period = value
		}
		pos = end
	}
	lit := l.literals[l.count]
	if !bytes.HasPrefix(b[pos:], b[lit.start:lit.end]) {
		return span{}, false
	}
	sc.pos = pos + int(lit.end-lit.start)
	return period, true
}
