package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// Amount is an exact decimal amount of money.
//
// It is a fixed-point number: an int64 count of millionths (six digits
// after the decimal point). The supported range is therefore
// -9,223,372,036,854.775808 to 9,223,372,036,854.775807, and a value with
// more than six significant decimal places, or outside that range, is an
// error that names the value. Trailing zeros do not count as significant,
// so "1.50000000" is accepted. No float64 arithmetic is involved in
// parsing, comparing or subtracting amounts.
//
// The zero value is the amount 0.
type Amount struct {
	micros int64
}

// ErrAmount is matched with [errors.Is] by every error that parsing or
// arithmetic on an [Amount] returns.
var ErrAmount = errors.New("diff: invalid amount")

const (
	// amountScale is the number of decimal places an Amount stores.
	amountScale = 6
	// microsPerUnit is 10^amountScale.
	microsPerUnit = 1_000_000
	// maxQuoted caps how much of a rejected input an error message repeats.
	maxQuoted = 64

	// Reasons given by amount errors.
	reasonSyntax    = "not a decimal number; use digits with an optional sign, point and exponent"
	reasonPrecision = "more than 6 decimal places; round it to 6 places first"
	reasonRange     = "out of range; amounts lie between -9223372036854.775808 and 9223372036854.775807"
)

// pow10 holds 10^0 through 10^19, every power of ten that fits a uint64.
var pow10 = [...]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// ParseAmount parses a decimal string such as "1250000", "-12.5", "0.10" or
// "1.5e3". It accepts the JSON number syntax, and also a leading "+",
// leading zeros and a missing digit on either side of the point ("5.",
// ".5"). Leading and trailing spaces are rejected. The error matches
// [ErrAmount] and names the value.
func ParseAmount(s string) (Amount, error) {
	return parseAmount(s)
}

// parseAmount parses s without converting a []byte to a string, so that
// UnmarshalJSON does not allocate on success.
func parseAmount[T string | []byte](s T) (Amount, error) {
	d, ok := scanDecimal(s)
	if !ok {
		return Amount{}, amountError(string(s), reasonSyntax)
	}
	return d.amount(string(s))
}

// decimal is a parsed number: neg × digits × 10^exp, where digits holds
// the significant decimal digits with leading and trailing zeros removed.
type decimal struct {
	neg    bool
	digits uint64 // the first 19 significant digits
	count  int    // number of significant digits, possibly more than 19
	exp    int    // saturates near ±1<<30 for absurd exponents
}

// maxExp bounds the exponent that scanDecimal tracks. Any larger
// magnitude is out of range or too precise whatever the digits are.
const maxExp = 1 << 30

// scanDecimal reads the syntax of s. It returns false when s is not a
// number.
func scanDecimal[T string | []byte](s T) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		d.neg = s[i] == '-'
		i++
	}
	pendingZeros := 0 // zeros seen after the last non-zero digit
	seenDigit, seenPoint := false, false
digits:
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !seenPoint:
			seenPoint = true
			continue
		case c < '0' || c > '9':
			break digits
		}
		seenDigit = true
		if seenPoint {
			d.exp--
		}
		if c == '0' {
			if d.count > 0 {
				pendingZeros++
			}
			continue
		}
		// A non-zero digit: the pending zeros become significant.
		for ; pendingZeros > 0; pendingZeros-- {
			d.push(0)
		}
		d.push(uint64(c - '0'))
	}
	if !seenDigit {
		return decimal{}, false
	}
	d.exp += pendingZeros
	if i == len(s) {
		return d, true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return decimal{}, false
	}
	e, ok := scanExponent(s[i+1:])
	if !ok {
		return decimal{}, false
	}
	d.exp = clampExp(d.exp + e)
	return d, true
}

// push appends one significant digit. Digits past the nineteenth are
// counted but not stored: such a value can only be out of range, or more
// precise than six decimals, and amount reports both from count and exp.
func (d *decimal) push(digit uint64) {
	if d.count < 19 {
		d.digits = d.digits*10 + digit
	} else {
		d.exp++
	}
	d.count++
}

// scanExponent reads [+-]digits, saturating at maxExp.
func scanExponent[T string | []byte](s T) (int, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	if i == len(s) {
		return 0, false
	}
	e := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if e < maxExp {
			e = e*10 + int(c-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

func clampExp(e int) int {
	return max(-maxExp, min(maxExp, e))
}

// amount converts d to micros. src is the original text for errors.
func (d decimal) amount(src string) (Amount, error) {
	if d.count == 0 {
		return Amount{}, nil
	}
	if d.count > 19 {
		// A value with more than 19 significant digits needs more
		// digits than an int64 holds. It is too precise when its last
		// digit lies beyond the sixth decimal place, else too large.
		if d.exp-(d.count-19) < -amountScale {
			return Amount{}, amountError(src, reasonPrecision)
		}
		return Amount{}, amountError(src, reasonRange)
	}
	shift := d.exp + amountScale
	if shift < 0 {
		// Trailing zeros are already stripped, so the last digit is
		// significant and lies beyond the sixth decimal place.
		return Amount{}, amountError(src, reasonPrecision)
	}
	if shift >= len(pow10) {
		return Amount{}, amountError(src, reasonRange)
	}
	hi, lo := bits.Mul64(d.digits, pow10[shift])
	limit := uint64(math.MaxInt64)
	if d.neg {
		limit++
	}
	if hi != 0 || lo > limit {
		return Amount{}, amountError(src, reasonRange)
	}
	if d.neg {
		return Amount{micros: int64(-lo)}, nil
	}
	return Amount{micros: int64(lo)}, nil
}

// amountError builds an error that names the rejected value and matches
// ErrAmount.
func amountError(value, reason string) error {
	if len(value) > maxQuoted {
		value = value[:maxQuoted] + "..."
	}
	return fmt.Errorf("%w %q: %s", ErrAmount, value, reason)
}

// MustParseAmount is like [ParseAmount] but panics on error. It is meant
// for tests and constants.
func MustParseAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// NewAmount returns the amount units × 10^-scale, for example
// NewAmount(12345, 2) is 123.45 and NewAmount(5, -3) is 5000. It returns
// an error when the result does not fit the supported range or precision.
func NewAmount(units int64, scale int) (Amount, error) {
	if units == 0 {
		return Amount{}, nil
	}
	if scale > amountScale {
		div := scale - amountScale
		// |units| < 10^19, so no multiple of 10^19 or more is non-zero.
		if div > 18 || units%int64(pow10[div]) != 0 {
			return Amount{}, amountError(fmt.Sprintf("%de-%d", units, scale), reasonPrecision)
		}
		return Amount{micros: units / int64(pow10[div])}, nil
	}
	shift := amountScale - scale
	if shift > 18 {
		return Amount{}, amountError(fmt.Sprintf("%de%d", units, -scale), reasonRange)
	}
	m := int64(pow10[shift])
	r := units * m
	if r/m != units {
		return Amount{}, amountError(fmt.Sprintf("%de%d", units, -scale), reasonRange)
	}
	return Amount{micros: r}, nil
}

// Micros returns a as an integer count of millionths: 1.5 is 1500000.
func (a Amount) Micros() int64 { return a.micros }

// AmountFromMicros returns the amount m millionths: 1500000 is 1.5.
func AmountFromMicros(m int64) Amount { return Amount{micros: m} }

// String formats a as a plain decimal with no exponent and no trailing
// zeros after the point: "1250000", "-12.5", "0.1".
func (a Amount) String() string {
	var buf [24]byte
	return string(a.appendDecimal(buf[:0]))
}

// appendDecimal appends the String form of a to b.
func (a Amount) appendDecimal(b []byte) []byte {
	u := uint64(a.micros)
	if a.micros < 0 {
		b = append(b, '-')
		u = -u // also right for math.MinInt64, as an unsigned value
	}
	b = strconv.AppendUint(b, u/microsPerUnit, 10)
	frac := u % microsPerUnit
	if frac == 0 {
		return b
	}
	digits := amountScale
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	b = append(b, '.')
	for p := pow10[digits-1]; p > 0; p /= 10 {
		b = append(b, byte('0'+frac/p%10))
	}
	return b
}

// Cmp compares a and b and returns -1, 0 or +1.
func (a Amount) Cmp(b Amount) int {
	switch {
	case a.micros < b.micros:
		return -1
	case a.micros > b.micros:
		return 1
	}
	return 0
}

// Equal reports whether a and b are the same amount. It lets
// github.com/google/go-cmp compare values that hold amounts.
func (a Amount) Equal(b Amount) bool { return a.micros == b.micros }

// Sign returns -1, 0 or +1.
func (a Amount) Sign() int {
	switch {
	case a.micros < 0:
		return -1
	case a.micros > 0:
		return 1
	}
	return 0
}

// IsZero reports whether a is 0.
func (a Amount) IsZero() bool { return a.micros == 0 }

// Abs returns |a|. It returns an error for the one value whose magnitude
// does not fit (the minimum of the range).
func (a Amount) Abs() (Amount, error) {
	if a.micros == math.MinInt64 {
		return Amount{}, amountError(a.String(), "its magnitude is "+reasonRange)
	}
	if a.micros < 0 {
		return Amount{micros: -a.micros}, nil
	}
	return a, nil
}

// Sub returns a - b, or an error when the result leaves the supported range.
func (a Amount) Sub(b Amount) (Amount, error) {
	r := a.micros - b.micros
	// Overflow happened when a and b have different signs and the
	// result's sign differs from a's.
	if (a.micros^b.micros)&(a.micros^r) < 0 {
		return Amount{}, amountError(a.String()+" - "+b.String(), "the difference is "+reasonRange)
	}
	return Amount{micros: r}, nil
}

// Float64 returns the nearest float64, for display only.
func (a Amount) Float64() float64 {
	var buf [24]byte
	f, _ := strconv.ParseFloat(string(a.appendDecimal(buf[:0])), 64)
	return f
}

// MarshalJSON encodes a as a JSON number that prints the exact decimal.
func (a Amount) MarshalJSON() ([]byte, error) {
	return a.appendDecimal(make([]byte, 0, 24)), nil
}

// UnmarshalJSON accepts a JSON number or a JSON string that holds a decimal
// in the syntax of [ParseAmount]. The JSON literal null leaves a unchanged,
// as encoding/json does for other types; decode into a *Amount to tell a
// missing value from 0.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		return a.unmarshalString(b)
	}
	v, err := parseAmount(b)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// unmarshalString decodes a JSON string, then parses its content.
func (a *Amount) unmarshalString(b []byte) error {
	if len(b) >= 2 && b[len(b)-1] == '"' && !bytes.ContainsAny(b[1:len(b)-1], `\"`) {
		v, err := parseAmount(b[1 : len(b)-1])
		if err != nil {
			return err
		}
		*a = v
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return amountError(string(b), reasonSyntax)
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

var (
	_ json.Marshaler   = Amount{}
	_ json.Unmarshaler = (*Amount)(nil)
	_ fmt.Stringer     = Amount{}
)
