package notify

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
)

// FormatAmount formats a with thousands separators and the currency code
// before it, for example "USD 1,250,000.50" or "-3,000". The digits are the
// exact decimal of [diff.Amount.String]; a single digit after the point is
// padded to two.
func FormatAmount(a diff.Amount, currency string) string {
	s := a.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && len(frac) == 1 {
		frac += "0"
	}
	var b strings.Builder
	if currency != "" {
		b.WriteString(currency + " ")
	}
	b.WriteString(sign)
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// PercentChange formats the percent of a change with its sign and one
// decimal, such as "+10.0 %" or "-100.0 %". It computes the percent exactly
// from Delta and Previous and rounds half away from zero; it falls back to
// the Percent field when those are missing. ok is false when the change has
// no percent (from zero, added or removed).
func PercentChange(c diff.Change) (s string, ok bool) {
	if c.Previous != nil && !c.Previous.IsZero() && c.Kind != diff.KindAdded && c.Kind != diff.KindRemoved {
		prev, ok1 := new(big.Rat).SetString(c.Previous.String())
		delta, ok2 := new(big.Rat).SetString(c.Delta.String())
		if ok1 && ok2 {
			tenths := new(big.Rat).Mul(delta, big.NewRat(1000, 1))
			tenths.Quo(tenths, prev.Abs(prev))
			return formatTenths(roundHalfAway(tenths), tenths.Sign()), true
		}
	}
	if c.Percent == nil || math.IsNaN(*c.Percent) || math.IsInf(*c.Percent, 0) {
		return "", false
	}
	t, _ := new(big.Rat).SetString(strconv.FormatFloat(*c.Percent*10, 'f', -1, 64))
	if t == nil {
		return "", false
	}
	return formatTenths(roundHalfAway(t), t.Sign()), true
}

// roundHalfAway rounds r to the nearest integer, halves away from zero.
func roundHalfAway(r *big.Rat) *big.Int {
	num := new(big.Int).Abs(r.Num())
	den := r.Denom()
	// floor((2*num + den) / (2*den)) is |r| rounded half up.
	n := new(big.Int).Lsh(num, 1)
	n.Add(n, den)
	n.Quo(n, new(big.Int).Lsh(den, 1))
	if r.Sign() < 0 {
		n.Neg(n)
	}
	return n
}

// formatTenths formats a count of tenths of a percent. sign is the sign of
// the exact value, so that -0.04 % shows as "-0.0 %".
func formatTenths(t *big.Int, sign int) string {
	prefix := "+"
	if sign < 0 {
		prefix = "-"
	}
	abs := new(big.Int).Abs(t).String()
	if len(abs) < 2 {
		abs = "0" + abs
	}
	return prefix + abs[:len(abs)-1] + "." + abs[len(abs)-1:] + " %"
}
