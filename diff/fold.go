package diff

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The owner key of a row without an owner id is
// strings.ToLower(strings.TrimSpace(email)). Building that string for
// every row allocates for each mixed-case email, so the comparison writes
// the key into a reused buffer instead, and the report orders emails with
// a comparison that folds case as it goes.

// Masks for working on the 8 bytes of a uint64 at once.
const (
	bytesOf01 = 0x0101010101010101
	bytesOf80 = 0x8080808080808080
)

// appendOwnerEmail appends strings.ToLower(strings.TrimSpace(email)) to dst.
func appendOwnerEmail(dst []byte, email string) []byte {
	return appendLower(dst, trimSpace(email))
}

// trimSpace returns strings.TrimSpace(s). It skips the call when s starts
// and ends with a printable ASCII byte, as nearly every email does,
// because no such byte is a space.
func trimSpace(s string) string {
	if len(s) > 0 && s[0]-0x21 < 0x5f && s[len(s)-1]-0x21 < 0x5f {
		return s
	}
	return strings.TrimSpace(s)
}

// needsLower reports whether strings.ToLower(s) may differ from s: s has
// an ASCII capital or a non-ASCII byte. It reads 8 bytes at a time, the
// last block overlapping the one before.
func needsLower(s string) bool {
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			if b := s[i]; b >= utf8.RuneSelf || 'A' <= b && b <= 'Z' {
				return true
			}
		}
		return false
	}
	for i := 0; ; i += 8 {
		if i+8 > len(s) {
			i = len(s) - 8
		}
		w := load64(s[i:])
		if w&bytesOf80 != 0 || upperASCII8(w) != 0 {
			return true
		}
		if i+8 == len(s) {
			return false
		}
	}
}

// appendLower appends strings.ToLower(s) to dst. An ASCII s is lowered 8
// bytes at a time. Any other s is lowered rune by rune exactly as
// strings.ToLower does: every rune goes through unicode.ToLower, and each
// invalid UTF-8 byte becomes U+FFFD.
func appendLower(dst []byte, s string) []byte {
	start := len(dst)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := load64(s[i:])
		if w&bytesOf80 != 0 {
			return appendLowerRunes(dst[:start], s)
		}
		dst = appendUint64(dst, w|upperASCII8(w)>>2)
	}
	for ; i < len(s); i++ {
		b := s[i]
		if b >= utf8.RuneSelf {
			return appendLowerRunes(dst[:start], s)
		}
		dst = append(dst, lowerByte(b))
	}
	return dst
}

// appendLowerRunes appends strings.ToLower(s) to dst for any s.
func appendLowerRunes(dst []byte, s string) []byte {
	for _, r := range s {
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// load64 returns the first 8 bytes of s as a little-endian uint64. The
// compiler turns the expression into one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendUint64 appends the 8 bytes of w, little-endian.
func appendUint64(dst []byte, w uint64) []byte {
	return append(dst, byte(w), byte(w>>8), byte(w>>16), byte(w>>24),
		byte(w>>32), byte(w>>40), byte(w>>48), byte(w>>56))
}

// upperASCII8 returns 0x80 in each byte of w that is a letter A to Z, and
// 0 in the others. Every byte of w must be below 0x80, so that adding
// 0x3f or 0x25 to a byte sets its top bit without a carry into the next
// byte. Shifting the result right by 2 gives the bit that lowers each
// capital.
func upperASCII8(w uint64) uint64 {
	atLeastA := (w + (0x80-'A')*bytesOf01) & bytesOf80
	aboveZ := (w + (0x80-'Z'-1)*bytesOf01) & bytesOf80
	return atLeastA &^ aboveZ
}

// compareOwnerEmails compares the owner keys of two emails as
// strings.Compare(strings.ToLower(strings.TrimSpace(a)),
// strings.ToLower(strings.TrimSpace(b))) does, without building them. The
// byte order of UTF-8 is the order of the code points it encodes, so
// past the first non-ASCII byte it compares lowered runes.
func compareOwnerEmails(a, b string) int {
	a, b = trimSpace(a), trimSpace(b)
	n := min(len(a), len(b))
	i := commonPrefix(a, b)
	for ; i < n; i++ {
		x, y := a[i], b[i]
		if x >= utf8.RuneSelf || y >= utf8.RuneSelf {
			return compareLowerRunes(a[i:], b[i:])
		}
		x, y = lowerByte(x), lowerByte(y)
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// commonPrefix returns the length of the longest common prefix of a and
// b that ends where a rune starts in both. Equal bytes lower alike, so
// the comparison can start there. Decoding never takes a byte that is not
// a UTF-8 continuation byte into the rune before it, so every such byte
// starts a rune.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && load64(a[i:]) == load64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	for i > 0 && (continuation(a, i) || continuation(b, i)) {
		i--
	}
	return i
}

// continuation reports whether s[i] exists and is a UTF-8 continuation
// byte.
func continuation(s string, i int) bool { return i < len(s) && s[i]&0xc0 == 0x80 }

// compareLowerRunes compares strings.ToLower(a) and strings.ToLower(b)
// rune by rune. Like strings.ToLower, it reads each invalid UTF-8 byte as
// U+FFFD.
func compareLowerRunes(a, b string) int {
	for len(a) > 0 && len(b) > 0 {
		x, wa := utf8.DecodeRuneInString(a)
		y, wb := utf8.DecodeRuneInString(b)
		x, y = unicode.ToLower(x), unicode.ToLower(y)
		if x != y {
			return cmp.Compare(x, y)
		}
		a, b = a[wa:], b[wb:]
	}
	return cmp.Compare(len(a), len(b))
}

func lowerByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
