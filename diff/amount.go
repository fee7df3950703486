package diff

import "errors"

// Amount is an exact decimal amount of money.
//
// It is a fixed-point number: an int64 count of millionths (six digits
// after the decimal point). The supported range is therefore
// -9,223,372,036,854.775808 to 9,223,372,036,854.775807, and a value with
// more than six significant decimal places, or outside that range, is an
// error that names the value. No float64 arithmetic is involved in parsing,
// comparing or subtracting amounts.
//
// The zero value is the amount 0.
type Amount struct {
	micros int64
}

// ErrAmount is matched with [errors.Is] by every error that parsing or
// arithmetic on an [Amount] returns.
var ErrAmount = errors.New("diff: invalid amount")

// ParseAmount parses a decimal string such as "1250000", "-12.5", "0.10" or
// "1.5e3". Leading and trailing spaces are rejected.
func ParseAmount(s string) (Amount, error) {
	panic("TODO: implement")
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
// NewAmount(12345, 2) is 123.45. It returns an error when the result does
// not fit the supported range or precision.
func NewAmount(units int64, scale int) (Amount, error) { panic("TODO: implement") }

// String formats a as a plain decimal with no exponent and no trailing
// zeros after the point: "1250000", "-12.5", "0.1".
func (a Amount) String() string { panic("TODO: implement") }

// Cmp compares a and b and returns -1, 0 or +1.
func (a Amount) Cmp(b Amount) int { panic("TODO: implement") }

// Sign returns -1, 0 or +1.
func (a Amount) Sign() int { panic("TODO: implement") }

// IsZero reports whether a is 0.
func (a Amount) IsZero() bool { return a.micros == 0 }

// Abs returns |a|. It returns an error for the one value whose magnitude
// does not fit (the minimum of the range).
func (a Amount) Abs() (Amount, error) { panic("TODO: implement") }

// Sub returns a - b, or an error when the result leaves the supported range.
func (a Amount) Sub(b Amount) (Amount, error) { panic("TODO: implement") }

// Float64 returns the nearest float64, for display only.
func (a Amount) Float64() float64 { panic("TODO: implement") }

// MarshalJSON encodes a as a JSON number that prints the exact decimal.
func (a Amount) MarshalJSON() ([]byte, error) { panic("TODO: implement") }

// UnmarshalJSON accepts a JSON number or a JSON string that holds a decimal.
func (a *Amount) UnmarshalJSON(b []byte) error { panic("TODO: implement") }
