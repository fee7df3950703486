package diff

import (
	"errors"
	"fmt"
	"math/bits"
)

// ErrOptions is matched with [errors.Is] by the error [Compute] returns
// for invalid [Options].
var ErrOptions = errors.New("diff: invalid options")

// defaultPercent is the percent threshold used when none is set, in
// micros of a percent: 10 %.
const defaultPercent = 10 * microsPerUnit

// Percent returns a pointer to the amount p, for [Threshold.Percent]:
// Threshold{Percent: diff.Percent(15)} alerts on moves of 15 % or more.
// For a fractional percent use new(diff.MustParseAmount("12.5")).
// Percent panics when p is outside the range of an [Amount].
func Percent(p int64) *Amount {
	a, err := NewAmount(p, 0)
	if err != nil {
		panic(err)
	}
	return &a
}

// limits is a Threshold with the defaults applied, as magnitudes in
// micros.
type limits struct {
	percent   uint64 // micros of a percent: 10 % is 10_000_000
	minChange uint64 // micros
}

// rules is Options after validation.
type rules struct {
	base      limits
	fields    map[string]limits
	direction Filter
}

// resolveOptions validates opts and applies the defaults.
func resolveOptions(opts *Options) (rules, error) {
	if opts == nil {
		opts = &Options{}
	}
	if opts.Direction < Both || opts.Direction > Down {
		return rules{}, fmt.Errorf("%w: Direction %d is not Both, Up or Down", ErrOptions, opts.Direction)
	}
	base, err := resolveThreshold("Threshold", opts.Threshold, limits{percent: defaultPercent})
	if err != nil {
		return rules{}, err
	}
	r := rules{base: base, direction: opts.Direction}
	if len(opts.Fields) > 0 {
		r.fields = make(map[string]limits, len(opts.Fields))
		for field, t := range opts.Fields {
			l, err := resolveThreshold(fmt.Sprintf("Fields[%q]", field), t, base)
			if err != nil {
				return rules{}, err
			}
			r.fields[field] = l
		}
	}
	return r, nil
}

// resolveThreshold fills the nil parts of t from def and rejects negative
// parts. name identifies where t came from and prefixes the field in the
// error.
func resolveThreshold(name string, t Threshold, def limits) (limits, error) {
	l := def
	if t.Percent != nil {
		if t.Percent.Sign() < 0 {
			return limits{}, fmt.Errorf("%w: %s.Percent is %s; use 0 or more", ErrOptions, name, t.Percent)
		}
		l.percent = uint64(t.Percent.micros)
	}
	if t.MinChange != nil {
		if t.MinChange.Sign() < 0 {
			return limits{}, fmt.Errorf("%w: %s.MinChange is %s; use 0 or more", ErrOptions, name, t.MinChange)
		}
		l.minChange = uint64(t.MinChange.micros)
	}
	return l, nil
}

// forField returns the limits that apply to field.
func (r *rules) forField(field string) limits {
	if r.fields != nil {
		if l, ok := r.fields[field]; ok {
			return l
		}
	}
	return r.base
}

// allows reports whether the direction filter lets d through.
func (r *rules) allows(d Direction) bool {
	switch r.direction {
	case Up:
		return d == Increased
	case Down:
		return d == Decreased
	}
	return true
}

// meetsPercent reports whether absDelta is at least percent % of
// absPrevious, exactly: absDelta × 100 × 10^6 >= percent × absPrevious,
// with 128-bit products so that no value can overflow.
func meetsPercent(absDelta, absPrevious, percent uint64) bool {
	lhsHi, lhsLo := bits.Mul64(absDelta, 100*microsPerUnit)
	rhsHi, rhsLo := bits.Mul64(percent, absPrevious)
	return cmp128(lhsHi, lhsLo, rhsHi, rhsLo) >= 0
}

// cmp128 compares the unsigned 128-bit numbers aHi:aLo and bHi:bLo.
func cmp128(aHi, aLo, bHi, bLo uint64) int {
	switch {
	case aHi < bHi:
		return -1
	case aHi > bHi:
		return 1
	case aLo < bLo:
		return -1
	case aLo > bLo:
		return 1
	}
	return 0
}

// magnitude returns |m| as a uint64, which holds |math.MinInt64| too.
func magnitude(m int64) uint64 {
	if m < 0 {
		return -uint64(m)
	}
	return uint64(m)
}
