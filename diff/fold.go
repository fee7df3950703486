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
// a comparison that folds ASCII case as it goes.

// Masks for working on the 8 bytes of a uint64 at once.
const (
	bytesOf01 = 0x0101010101010101
	bytesOf80 = 0x8080808080808080
)

// appendOwnerEmail appends strings.ToLower(strings.TrimSpace(email)) to dst.
// An ASCII email is lowered 8 bytes at a time. Any other email is lowered
// rune by rune exactly as strings.ToLower does: every rune goes through
// unicode.ToLower, and each invalid UTF-8 byte becomes U+FFFD.
func appendOwnerEmail(dst []byte, email string) []byte {
	s := strings.TrimSpace(email)
	start := len(dst)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := load64(s[i:])
		if w&bytesOf80 != 0 {
			return appendLowerRunes(dst[:start], s)
		}
		dst = appendUint64(dst, lowerASCII8(w))
	}
	for ; i < len(s); i++ {
		b := s[i]
		if b >= utf8.RuneSelf {
			return appendLowerRunes(dst[:start], s)
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		dst = append(dst, b)
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

// lowerASCII8 lowers the letters A to Z in the 8 ASCII bytes of w. Every
// byte is below 0x80, so adding 0x3f or 0x25 to a byte sets its top bit
// without a carry into the next byte.
func lowerASCII8(w uint64) uint64 {
	atLeastA := (w + (0x80-'A')*bytesOf01) & bytesOf80
	aboveZ := (w + (0x80-'Z'-1)*bytesOf01) & bytesOf80
	return w | (atLeastA&^aboveZ)>>2
}

// sortEmail returns a form of email that compareSortEmails orders as
// strings.ToLower(strings.TrimSpace(email)) orders. An ASCII email is only
// trimmed, so that it needs no allocation. Any other email is lowered in
// full.
func sortEmail(email string) string {
	s := strings.TrimSpace(email)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
	}
	return s
}

// compareSortEmails compares two results of sortEmail as strings.Compare
// compares the lowered emails. Lowering the letters A to Z of each byte
// is enough: a trimmed ASCII email lowers to exactly that, and
// strings.ToLower never returns an ASCII capital, while the bytes of a
// multi-byte rune are all 0x80 or more and stay as they are.
func compareSortEmails(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		x, y := lowerByte(a[i]), lowerByte(b[i])
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

func lowerByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
