package diff

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// PercentString formats the percent of c rounded to one decimal place,
// half away from zero, with a sign: "+10.0%", "-100.0%". It rounds the
// exact ratio of Delta to |Previous|, not the float64 in Percent, so a
// move of exactly 9.95 % prints "+10.0%". It returns "" when c has no
// percent (from_zero, added, removed).
func (c Change) PercentString() string {
	if c.Percent == nil || c.Previous == nil || c.Previous.IsZero() {
		return ""
	}
	sign := "+"
	if c.Delta.Sign() < 0 {
		sign = "-"
	}
	tenths := percentTenths(magnitude(c.Delta.micros), magnitude(c.Previous.micros))
	n := len(tenths)
	if n == 1 {
		return sign + "0." + tenths + "%"
	}
	return sign + tenths[:n-1] + "." + tenths[n-1:] + "%"
}

// percentTenths returns round(absDelta × 1000 / absPrevious) in decimal:
// the percent in tenths. absPrevious must not be 0.
func percentTenths(absDelta, absPrevious uint64) string {
	hi, lo := bits.Mul64(absDelta, 1000)
	if hi >= absPrevious {
		// The quotient does not fit 64 bits: a tiny previous value.
		return bigTenths(absDelta, absPrevious)
	}
	q, r := bits.Div64(hi, lo, absPrevious)
	// r < absPrevious <= 2^63, so 2r cannot overflow.
	if 2*r >= absPrevious {
		if q == math.MaxUint64 {
			return bigTenths(absDelta, absPrevious)
		}
		q++
	}
	return strconv.FormatUint(q, 10)
}

func bigTenths(absDelta, absPrevious uint64) string {
	num := new(big.Int).SetUint64(absDelta)
	num.Mul(num, big.NewInt(1000))
	den := new(big.Int).SetUint64(absPrevious)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.String()
}
