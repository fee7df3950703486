package clari

import (
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
)

// readBufferSize is the initial size of the read buffer of [Decode]. The
// buffer grows only to hold a single token longer than it.
const readBufferSize = 64 << 10

// Decode reads one JSON forecast export from r.
//
// Decode streams: it reads r through a fixed buffer and keeps only the
// decoded export, with repeated strings such as ids, field ids and currencies
// stored once. The input must be one JSON object, with nothing after it but
// white space, that is valid JSON throughout, unknown keys included. Keys
// match the field names of the export types exactly or, failing that, without
// regard to case, as encoding/json matches them. A top-level "data" object is
// decoded as the export itself, for exports stored inside such a wrapper.
//
// Errors from invalid or truncated input are *[DecodeError] values that give
// the byte offset and the JSON path of the problem. An error from r is
// returned wrapped.
func Decode(r io.Reader) (*Export, error) {
	d := newDecoder(r, nil)
	return d.decode()
}

// DecodeBytes decodes one JSON forecast export held in data, with the rules
// of [Decode]. It reads data in place, so it is faster than Decode on a
// bytes.Reader. The export keeps no reference to data.
func DecodeBytes(data []byte) (*Export, error) {
	d := newDecoder(nil, data)
	return d.decode()
}

// DecodeError reports invalid or truncated JSON in an export.
type DecodeError struct {
	// Offset is the byte offset in the input where the problem starts.
	Offset int64
	// Path is the JSON path of the value, such as
	// "entries[1234].forecastValue"; it is empty at the top level.
	Path string
	// Value is the start of the rejected text, at most about 40 bytes.
	Value string
	// Msg describes the problem.
	Msg string
	// Err is the underlying error, if any: io.ErrUnexpectedEOF for
	// truncated input, or, for an invalid amount, an error that wraps the
	// diff package's error.
	Err error
}

// Error returns the message with its offset, path and value.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("clari: invalid export at byte ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	if e.Path != "" {
		b.WriteString(" (")
		b.WriteString(e.Path)
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	// An error of the diff package already quotes the value.
	if e.Value != "" && (e.Err == nil || !strings.Contains(e.Err.Error(), strconv.Quote(e.Value))) {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Value))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// pathElem is one step of the JSON path: an object key or an array index.
type pathElem struct {
	key   string
	index int // -1 for a key
}

// decoder is a streaming JSON tokenizer over a refillable buffer, with the
// export schema on top (decode_export.go).
type decoder struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte in buf
	end  int   // end of the valid bytes in buf
	base int64 // input offset of buf[0]
	rerr error // sticky error from r; io.EOF at the end of the input

	path    []pathElem
	scratch []byte            // decoded string with escapes
	intern  map[string]string // repeated strings, stored once
	recent  [64]string        // cache in front of intern
	keys    struct {          // see keyList
		export, entry, user, field, timeFrame, timePeriod keyList
	}
	size    int64         // input size when known, else 0
	amounts []diff.Amount // see newAmount

	owners []ownerInfo // per-owner keys of entries, in owner mode only
	owner  bool        // accept the per-owner export shape
	period string      // top-level "period" key, in owner mode only
}

func newDecoder(r io.Reader, data []byte) *decoder {
	d := &decoder{r: r, intern: make(map[string]string, 256)}
	d.keys.export.names = exportKeys
	d.keys.entry.names = entryKeys
	d.keys.user.names = userKeys
	d.keys.field.names = fieldKeys
	d.keys.timeFrame.names = timeFrameKeys
	d.keys.timePeriod.names = timePeriodKeys
	if r == nil {
		d.buf = data
		d.end = len(data)
		d.rerr = io.EOF
		d.size = int64(len(data))
	} else {
		d.buf = make([]byte, readBufferSize)
		d.size = inputSize(r)
	}
	return d
}

// inputSize returns the number of bytes left in r when r can tell, as
// bytes.Reader and os.File can, or 0.
func inputSize(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }:
		return int64(r.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

// offset returns the input offset of pos.
func (d *decoder) offset() int64 { return d.base + int64(d.pos) }

func (d *decoder) decode() (*Export, error) {
	c, err := d.peek()
	if err != nil {
		return nil, err
	}
	if c != '{' {
		return nil, d.syntaxError("want a JSON object at the top level")
	}
	e := new(Export)
	if err := d.export(e); err != nil {
		return nil, err
	}
	return e, d.finish()
}

// finish checks that only white space follows the top-level value.
func (d *decoder) finish() error {
	for {
		for d.pos < d.end {
			if !isSpace(d.buf[d.pos]) {
				return d.syntaxError("invalid data after the top-level object")
			}
			d.pos++
		}
		if !d.fill() {
			if d.rerr != io.EOF {
				return d.readError()
			}
			return nil
		}
	}
}

// fill reads more input into buf, keeping the bytes from pos on, and
// reports whether it added any. Indices relative to pos stay valid.
func (d *decoder) fill() bool {
	if d.rerr != nil {
		return false
	}
	if d.pos > 0 {
		n := copy(d.buf, d.buf[d.pos:d.end])
		d.base += int64(d.pos)
		d.pos, d.end = 0, n
	}
	if d.end == len(d.buf) {
		grown := make([]byte, 2*len(d.buf))
		copy(grown, d.buf[:d.end])
		d.buf = grown
	}
	for range 100 {
		n, err := d.r.Read(d.buf[d.end:])
		d.end += n
		if err != nil {
			d.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	d.rerr = io.ErrNoProgress
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

// peek skips white space and returns the next byte without consuming it.
func (d *decoder) peek() (byte, error) {
	for {
		for d.pos < d.end {
			c := d.buf[d.pos]
			if c > ' ' || !isSpace(c) {
				return c, nil
			}
			d.pos++
		}
		if !d.fill() {
			return 0, d.eofError()
		}
	}
}

// eofError is the error for input that ends, or fails, inside a value.
func (d *decoder) eofError() error {
	if d.rerr != io.EOF {
		return d.readError()
	}
	return d.errorAt(d.base+int64(d.end), "truncated input", "", io.ErrUnexpectedEOF)
}

func (d *decoder) readError() error {
	return fmt.Errorf("clari: reading export at byte %d: %w", d.base+int64(d.end), d.rerr)
}

// syntaxError reports the text at pos as invalid.
func (d *decoder) syntaxError(msg string) error {
	for d.end-d.pos <= maxValueLen && d.fill() {
	}
	end := min(d.end, d.pos+maxValueLen+1)
	return d.errorAt(d.base+int64(d.pos), msg, clipValue(string(d.buf[d.pos:end])), nil)
}

// maxValueLen is the longest value that an error message quotes.
const maxValueLen = 40

// clipValue shortens s to maxValueLen bytes of valid UTF-8 for messages.
func clipValue(s string) string {
	clipped := len(s) > maxValueLen
	if clipped {
		s = s[:maxValueLen]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if clipped {
		s += "..."
	}
	return s
}

func (d *decoder) errorAt(offset int64, msg, value string, err error) error {
	return &DecodeError{Offset: offset, Path: d.pathString(), Value: value, Msg: msg, Err: err}
}

func (d *decoder) pathString() string {
	var b strings.Builder
	for _, p := range d.path {
		if p.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.key)
	}
	return b.String()
}

// expect consumes the literal lit, such as "null", at pos.
func (d *decoder) expect(lit string) error {
	for d.end-d.pos < len(lit) {
		if !d.fill() {
			break
		}
	}
	n := min(len(lit), d.end-d.pos)
	if string(d.buf[d.pos:d.pos+n]) != lit[:n] {
		return d.syntaxError("invalid literal")
	}
	if n < len(lit) {
		return d.eofError()
	}
	d.pos += n
	return d.checkDelimiter()
}

// checkDelimiter rejects a literal or number that runs into more letters
// or digits, such as "nullx" or "truest".
func (d *decoder) checkDelimiter() error {
	if d.pos == d.end && !d.fill() {
		return nil
	}
	switch c := d.buf[d.pos]; {
	case isSpace(c), c == ',', c == ']', c == '}':
		return nil
	}
	return d.syntaxError("invalid character after a value")
}

// object reads a JSON object at pos and calls member for each key, with pos
// on the value, which member must consume. It returns isNull true for null.
func (d *decoder) object(member func(key []byte) error) (isNull bool, err error) {
	c, err := d.peek()
	if err != nil {
		return false, err
	}
	if c == 'n' {
		return true, d.expect("null")
	}
	if c != '{' {
		return false, d.syntaxError("want a JSON object")
	}
	if len(d.path) >= maxDepth {
		return false, d.syntaxError("nesting deeper than 10000 levels")
	}
	d.pos++
	d.path = append(d.path, pathElem{index: -1})
	top := len(d.path) - 1
	for first := true; ; first = false {
		c, err := d.peek()
		if err != nil {
			return false, err
		}
		if c == '}' && first {
			d.pos++
			break
		}
		key, err := d.key()
		if err != nil {
			return false, err
		}
		d.path[top].key = ""
		if err := member(key); err != nil {
			return false, err
		}
		if c, err = d.peek(); err != nil {
			return false, err
		}
		d.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			d.pos--
			return false, d.syntaxError("want ',' or '}' after an object member")
		}
	}
	d.path = d.path[:top]
	return false, nil
}

// key reads an object key and the colon after it. The key is valid until
// the next read.
func (d *decoder) key() ([]byte, error) {
	c, err := d.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, d.syntaxError("want a string as object key")
	}
	key, err := d.stringBytes()
	if err != nil {
		return nil, err
	}
	// The scratch buffer or buf may move while looking for the colon.
	if d.pos >= d.end || d.buf[d.pos] != ':' {
		key = append([]byte(nil), key...)
		if c, err = d.peek(); err != nil {
			return nil, err
		}
		if c != ':' {
			return nil, d.syntaxError("want ':' after an object key")
		}
	}
	d.pos++
	return key, nil
}

// setKey records key, the canonical name when known, in the path.
func (d *decoder) setKey(name string, key []byte) {
	if name == "" {
		name = string(key)
	}
	d.path[len(d.path)-1].key = name
}

// array reads a JSON array at pos and calls elem for each element, with
// pos on the element. It returns isNull true for null.
func (d *decoder) array(elem func(i int) error) (isNull bool, err error) {
	c, err := d.peek()
	if err != nil {
		return false, err
	}
	if c == 'n' {
		return true, d.expect("null")
	}
	if c != '[' {
		return false, d.syntaxError("want a JSON array")
	}
	if len(d.path) >= maxDepth {
		return false, d.syntaxError("nesting deeper than 10000 levels")
	}
	d.pos++
	d.path = append(d.path, pathElem{index: 0})
	top := len(d.path) - 1
	for i := 0; ; i++ {
		c, err := d.peek()
		if err != nil {
			return false, err
		}
		if c == ']' && i == 0 {
			d.pos++
			break
		}
		d.path[top].index = i
		if err := elem(i); err != nil {
			return false, err
		}
		if c, err = d.peek(); err != nil {
			return false, err
		}
		d.pos++
		if c == ']' {
			break
		}
		if c != ',' {
			d.pos--
			return false, d.syntaxError("want ',' or ']' after an array element")
		}
	}
	d.path = d.path[:top]
	return false, nil
}
