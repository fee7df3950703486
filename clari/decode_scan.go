package clari

import (
	"encoding/binary"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is the deepest nesting of objects and arrays that the decoder
// accepts, the same limit as encoding/json. It keeps hostile input from
// exhausting the stack.
const maxDepth = 10000

// maxIntern caps the number of distinct strings stored for reuse, so that
// input made of unique strings cannot grow the table without bound.
const maxIntern = 1 << 17

// maxInternLen is the longest string stored for reuse; longer strings are
// rarely repeated.
const maxInternLen = 64

// plainByte[c] is true for the bytes that a JSON string holds as they are,
// with no escape and no UTF-8 check.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether all eight bytes of x are plain string bytes:
// none is a quote, a backslash, a control character or above 0x7F. It
// uses the "has a zero byte" and "has a byte less than n" tests of Sean
// Anderson's Bit Twiddling Hacks, which never miss such a byte.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	control := (x - ones*0x20) &^ x
	quotes := (quote - ones) &^ quote
	backslashes := (backslash - ones) &^ backslash
	return (control|quotes|backslashes|x)&highs == 0
}

// stringBytes reads the JSON string at pos, which must be on its opening
// quote, and returns its decoded content, valid until the next read.
// Invalid UTF-8 and lone surrogates decode to U+FFFD, as in encoding/json.
func (d *decoder) stringBytes() ([]byte, error) {
	j := 1
	for {
		buf := d.buf[d.pos:d.end]
		for j+8 <= len(buf) && plainWord(binary.LittleEndian.Uint64(buf[j:])) {
			j += 8
		}
		for j < len(buf) && plainByte[buf[j]] {
			j++
		}
		if j < len(buf) {
			if buf[j] == '"' {
				d.pos += j + 1
				return buf[1:j], nil
			}
			return d.slowString(j)
		}
		if !d.fill() {
			return nil, d.eofError()
		}
	}
}

// slowString decodes the rest of a string whose first j bytes, counted from
// the quote at pos, are plain.
func (d *decoder) slowString(j int) ([]byte, error) {
	out := append(d.scratch[:0], d.buf[d.pos+1:d.pos+j]...)
	d.pos += j
	for {
		if d.pos == d.end && !d.fill() {
			return nil, d.eofError()
		}
		c := d.buf[d.pos]
		switch {
		case c == '"':
			d.pos++
			d.scratch = out
			return out, nil
		case c == '\\':
			var err error
			if out, err = d.escape(out); err != nil {
				return nil, err
			}
		case c < 0x20:
			return nil, d.syntaxError("invalid control character in string")
		case c < utf8.RuneSelf:
			out = append(out, c)
			d.pos++
		default:
			for !utf8.FullRune(d.buf[d.pos:d.end]) && d.fill() {
			}
			r, size := utf8.DecodeRune(d.buf[d.pos:d.end])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, unicode.ReplacementChar)
			} else {
				out = append(out, d.buf[d.pos:d.pos+size]...)
			}
			d.pos += size
		}
	}
}

// escape decodes the escape sequence at pos and appends it to out.
func (d *decoder) escape(out []byte) ([]byte, error) {
	for d.end-d.pos < 12 && d.fill() {
	}
	b := d.buf[d.pos:d.end]
	if len(b) < 2 {
		return nil, d.eofError()
	}
	if c, ok := simpleEscape(b[1]); ok {
		d.pos += 2
		return append(out, c), nil
	}
	if b[1] != 'u' {
		return nil, d.syntaxError("invalid escape in string")
	}
	r, ok := hex4(b[2:])
	if !ok {
		if len(b) < 6 && allHex(b[2:]) {
			return nil, d.eofError()
		}
		return nil, d.syntaxError("invalid \\u escape in string")
	}
	d.pos += 6
	if utf16.IsSurrogate(r) {
		// A valid pair decodes to one rune; anything else leaves U+FFFD
		// and the next escape for the next call, as encoding/json does.
		b = d.buf[d.pos:d.end]
		if len(b) >= 6 && b[0] == '\\' && b[1] == 'u' {
			if r2, ok := hex4(b[2:]); ok {
				if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
					d.pos += 6
					return utf8.AppendRune(out, dec), nil
				}
			}
		}
		r = unicode.ReplacementChar
	}
	return utf8.AppendRune(out, r), nil
}

func simpleEscape(c byte) (byte, bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		v, ok := hexValue(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | v
	}
	return r, true
}

func allHex(b []byte) bool {
	for _, c := range b {
		if _, ok := hexValue(c); !ok {
			return false
		}
	}
	return true
}

func hexValue(c byte) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10), true
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10), true
	}
	return 0, false
}

func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads the JSON number at pos and returns its text, valid until
// the next read.
func (d *decoder) number() ([]byte, error) {
	j := 0
	for {
		buf := d.buf[d.pos:d.end]
		for j < len(buf) && isNumberByte(buf[j]) {
			j++
		}
		if j < len(buf) || !d.fill() {
			break
		}
	}
	lit := d.buf[d.pos : d.pos+j]
	if !validNumber(lit) {
		if d.pos+j == d.end && d.rerr != nil && validNumberPrefix(lit) {
			return nil, d.eofError()
		}
		return nil, d.syntaxError("invalid number")
	}
	d.pos += j
	// The number ends before a byte already in buf, or at the end of the
	// input, so this check reads nothing and lit stays valid.
	return lit, d.checkDelimiter()
}

// validNumber reports whether b follows the JSON number grammar.
func validNumber(b []byte) bool {
	i, ok := scanNumber(b)
	return ok && i == len(b)
}

// validNumberPrefix reports whether more bytes could complete b as a number.
func validNumberPrefix(b []byte) bool {
	for _, tail := range []string{"0", "1"} {
		if validNumber(append(b[:len(b):len(b)], tail...)) {
			return true
		}
	}
	return false
}

// scanNumber returns the length of the JSON number at the start of b.
func scanNumber(b []byte) (int, bool) {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i == len(b):
		return i, false
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
		if i == start {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
		if i == start {
			return i, false
		}
	}
	return i, true
}

// skip reads and discards any JSON value at pos. When w is not nil, it
// appends the value to *w as compact JSON.
func (d *decoder) skip(w *[]byte) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '{':
		return d.skipObject(w)
	case c == '[':
		return d.skipArray(w)
	case c == '"':
		s, err := d.stringBytes()
		if err == nil && w != nil {
			*w = appendQuoted(*w, s)
		}
		return err
	case c == 't':
		return d.skipLiteral("true", w)
	case c == 'f':
		return d.skipLiteral("false", w)
	case c == 'n':
		return d.skipLiteral("null", w)
	case c == '-' || isDigit(c):
		lit, err := d.number()
		if err == nil && w != nil {
			*w = append(*w, lit...)
		}
		return err
	}
	return d.syntaxError("invalid character at the start of a value")
}

func (d *decoder) skipLiteral(lit string, w *[]byte) error {
	err := d.expect(lit)
	if err == nil && w != nil {
		*w = append(*w, lit...)
	}
	return err
}

func (d *decoder) skipObject(w *[]byte) error {
	if w != nil {
		*w = append(*w, '{')
	}
	n := 0
	_, err := d.object(func(key []byte) error {
		d.setKey(d.internBytes(key), nil)
		if w != nil {
			if n > 0 {
				*w = append(*w, ',')
			}
			*w = append(appendQuoted(*w, key), ':')
		}
		n++
		return d.skip(w)
	})
	if w != nil {
		*w = append(*w, '}')
	}
	return err
}

func (d *decoder) skipArray(w *[]byte) error {
	if w != nil {
		*w = append(*w, '[')
	}
	_, err := d.array(func(i int) error {
		if w != nil && i > 0 {
			*w = append(*w, ',')
		}
		return d.skip(w)
	})
	if w != nil {
		*w = append(*w, ']')
	}
	return err
}

// appendQuoted appends s as a JSON string.
func appendQuoted(w, s []byte) []byte {
	const hex = "0123456789abcdef"
	w = append(w, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			w = append(w, '\\', c)
		case c < 0x20:
			w = append(w, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			w = append(w, c)
		}
	}
	return append(w, '"')
}

// internBytes returns b as a string, stored once for repeated values. A
// small cache in front of the map catches the values that repeat from one
// entry to the next, such as the user id of a run of entries.
func (d *decoder) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	slot := &d.recent[(len(b)*7+int(b[0])*31+int(b[len(b)-1]))%len(d.recent)]
	if *slot == string(b) {
		return *slot
	}
	s, ok := d.intern[string(b)]
	if !ok {
		s = string(b)
		if len(s) <= maxInternLen && len(d.intern) < maxIntern {
			d.intern[s] = s
		}
	}
	*slot = s
	return s
}

// text reads a string value: a JSON string, null as "", or a number kept
// as its text. With anyValue, objects, arrays and booleans are accepted
// too and kept as compact JSON.
func (d *decoder) text(intern, anyValue bool) (string, error) {
	c, err := d.peek()
	if err != nil {
		return "", err
	}
	var b []byte
	switch {
	case c == '"':
		b, err = d.stringBytes()
	case c == 'n':
		return "", d.expect("null")
	case c == '-' || isDigit(c):
		b, err = d.number()
	case anyValue:
		var w []byte
		err = d.skip(&w)
		return string(w), err
	default:
		return "", d.syntaxError("want a string")
	}
	if err != nil {
		return "", err
	}
	if intern {
		return d.internBytes(b), nil
	}
	return string(b), nil
}

// id reads an ID: a JSON string, a number kept as its text, or null.
func (d *decoder) id() (ID, error) {
	s, err := d.text(true, false)
	return ID(s), err
}

// boolean reads true, false or null (false).
func (d *decoder) boolean() (bool, error) {
	c, err := d.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case 't':
		return true, d.expect("true")
	case 'f':
		return false, d.expect("false")
	case 'n':
		return false, d.expect("null")
	}
	return false, d.syntaxError("want true, false or null")
}

// integer reads an integer number, a string of one, or null (0).
func (d *decoder) integer() (int64, error) {
	c, err := d.peek()
	if err != nil {
		return 0, err
	}
	offset := d.base + int64(d.pos)
	var b []byte
	switch {
	case c == 'n':
		return 0, d.expect("null")
	case c == '"':
		b, err = d.stringBytes()
	case c == '-' || isDigit(c):
		b, err = d.number()
	default:
		return 0, d.syntaxError("want an integer")
	}
	if err != nil {
		return 0, err
	}
	v, perr := strconv.ParseInt(string(b), 10, 64)
	if perr != nil || (len(b) > 0 && b[0] == '+') {
		return 0, d.errorAt(offset, "want an integer", clipValue(string(b)), nil)
	}
	return v, nil
}
