package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxKeyPartLen is the maximum length in bytes of each field of a [Key].
const MaxKeyPartLen = 256

// MaxIDLen is the maximum length in bytes of a snapshot id.
const MaxIDLen = 128

// parts returns the key's fields with their names, in a fixed order.
func (k Key) parts() [5][2]string {
	return [5][2]string{
		{"ForecastID", k.ForecastID},
		{"TimePeriod", k.TimePeriod},
		{"Scope", k.Scope},
		{"Currency", k.Currency},
		{"Types", k.Types},
	}
}

// Validate returns an error matching [ErrInvalidKey] when ForecastID is
// empty or a field is too long, is not valid UTF-8, is "." or "..", or
// contains a NUL byte, another control character, '/' or '\\'.
func (k Key) Validate() error {
	if k.ForecastID == "" {
		return fmt.Errorf("%w: ForecastID is empty; set it to the Clari forecast id", ErrInvalidKey)
	}
	for _, p := range k.parts() {
		if err := validatePart(p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

func validatePart(name, v string) error {
	if len(v) > MaxKeyPartLen {
		return fmt.Errorf("%w: %s is %d bytes long, more than the maximum %d",
			ErrInvalidKey, name, len(v), MaxKeyPartLen)
	}
	// Stores write the key as JSON, which replaces invalid UTF-8 with
	// U+FFFD, so such a key would not read back as itself.
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s %q is not valid UTF-8", ErrInvalidKey, name, v)
	}
	if v == "." || v == ".." {
		return fmt.Errorf("%w: %s is %q, a path name reserved by the file system", ErrInvalidKey, name, v)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c == 0x7f || c == '/' || c == '\\' {
			return fmt.Errorf("%w: %s %q contains byte %#02x at offset %d; "+
				"control characters and path separators are not allowed",
				ErrInvalidKey, name, v, c, i)
		}
	}
	return nil
}

// String returns the key as "forecast/period/scope/currency", each field
// escaped as a URL path segment, with "?types=..." appended when Types is
// set. It is meant for messages and logs.
func (k Key) String() string {
	s := url.PathEscape(k.ForecastID) + "/" + url.PathEscape(k.TimePeriod) + "/" +
		url.PathEscape(k.Scope) + "/" + url.PathEscape(k.Currency)
	if k.Types != "" {
		s += "?types=" + url.QueryEscape(k.Types)
	}
	return s
}

// canonical returns an unambiguous encoding of all fields, used as a map key
// and hashed for file names. NUL never occurs inside a valid field.
func (k Key) canonical() string {
	return k.ForecastID + "\x00" + k.TimePeriod + "\x00" + k.Scope + "\x00" +
		k.Currency + "\x00" + k.Types
}

// dirNameMaxReadable bounds the readable part of a stream directory name,
// so that the whole name stays well under the usual 255-byte limit.
const dirNameMaxReadable = 120

// DirName returns the name of the key's directory in a [FileStore]. The
// name contains only ASCII letters, digits and "%+-_": each field is
// percent-encoded, the fields are joined with '+', and a dash and 16 hex
// digits of the SHA-256 digest of the exact fields follow. The digest keeps
// names apart on case-insensitive file systems and when the readable part
// is cut at 120 bytes. The key must be valid.
func (k Key) DirName() string {
	var b strings.Builder
	for i, p := range k.parts() {
		if i > 0 {
			b.WriteByte('+')
		}
		escapeName(&b, p[1])
	}
	readable := b.String()
	if len(readable) > dirNameMaxReadable {
		readable = readable[:dirNameMaxReadable]
	}
	sum := sha256.Sum256([]byte(k.canonical()))
	return readable + "-" + hex.EncodeToString(sum[:8])
}

// escapeName writes s with every byte outside [A-Za-z0-9_-] as %XX.
func escapeName(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
}

// ValidateID returns an error matching [ErrInvalidID] unless id is 1 to
// [MaxIDLen] bytes of ASCII letters, digits, '.', '_' and '-' and starts
// with a letter or digit. Ids made by [NewID] are valid.
func ValidateID(id string) error {
	if id == "" || len(id) > MaxIDLen {
		return fmt.Errorf("%w: %q must be 1 to %d bytes long", ErrInvalidID, id, MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if i == 0 && !alnum || !alnum && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("%w: %q has %q at offset %d; use letters, digits, '.', '_' and '-', "+
				"starting with a letter or digit", ErrInvalidID, id, c, i)
		}
	}
	return nil
}
