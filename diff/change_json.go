package diff

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the JSON object of c to b and returns the extended
// buffer. The object matches, byte for byte, what json.Marshal builds
// from the struct tags of Change in a default build of Go 1.26 (not
// with GOEXPERIMENT=jsonv2). Amounts are exact decimals, and a nil
// Previous, Current or Percent is null. Strings are escaped as
// encoding/json escapes them, HTML characters included. A NaN or
// infinite Percent, which json.Marshal rejects and Compute never
// reports, is written as null.
//
// Change has no MarshalJSON method, because a struct that embeds Change
// would then lose its own fields in JSON.
func (c *Change) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":`...)
	b = appendJSONString(b, string(c.Kind))
	b = append(b, `,"period":`...)
	b = appendJSONString(b, c.Period)
	b = append(b, `,"ownerId":`...)
	b = appendJSONString(b, c.OwnerID)
	b = append(b, `,"email":`...)
	b = appendJSONString(b, c.Email)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, c.Name)
	b = append(b, `,"field":`...)
	b = appendJSONString(b, c.Field)
	b = append(b, `,"fieldName":`...)
	b = appendJSONString(b, c.FieldName)
	b = append(b, `,"previous":`...)
	b = appendJSONAmount(b, c.Previous)
	b = append(b, `,"current":`...)
	b = appendJSONAmount(b, c.Current)
	b = append(b, `,"delta":`...)
	b = c.Delta.appendDecimal(b)
	b = append(b, `,"percent":`...)
	if c.Percent == nil || math.IsNaN(*c.Percent) || math.IsInf(*c.Percent, 0) {
		b = append(b, "null"...)
	} else {
		b = appendJSONFloat(b, *c.Percent)
	}
	b = append(b, `,"direction":`...)
	b = appendJSONString(b, string(c.Direction))
	return append(b, '}')
}

func appendJSONAmount(b []byte, a *Amount) []byte {
	if a == nil {
		return append(b, "null"...)
	}
	return a.appendDecimal(b)
}

// appendJSONFloat appends f as encoding/json writes a float64: the
// shortest decimal that reads back as f, with an exponent only below
// 1e-6 and from 1e21 on, and no leading zero in a negative exponent.
// f must be finite.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it by default: the two-character escapes for quote, backslash,
// \b, \f, \n, \r and \t, \u00XX for other control bytes and for <, > and
// &, \u2028 and \u2029 for those line separators, and U+FFFD for each
// byte of invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
