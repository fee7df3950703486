package clari

import (
	"slices"
	"strconv"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
)

// The keys of each object of the export, in their usual order.
var (
	exportKeys = []string{"entries", "users", "fields", "timeFrames", "timePeriods", "data", "period"}
	entryKeys  = []string{
		"timePeriodId", "timeFrameId", "userId", "fieldId", "forecastValue", "currency",
		"isUpdated", "updatedBy", "updatedOn",
		"ownerId", "ownerEmail", "ownerName", "forecastAmount", "period",
	}
	userKeys = []string{
		"userId", "crmId", "email", "name", "hierarchyId", "hierarchyName",
		"parentHierarchyId", "parentHierarchyName", "scopeId",
	}
	fieldKeys      = []string{"fieldId", "fieldName", "fieldType"}
	timeFrameKeys  = []string{"timeFrameId", "startDate", "endDate"}
	timePeriodKeys = []string{"timePeriodId", "startDate", "endDate", "label", "year", "crmId", "type"}
)

// keyList is the keys of one kind of object, with a guess of the next key:
// objects of one kind usually list their keys in one order.
type keyList struct {
	names []string
	next  int
}

// match returns the name that key matches, trying the guess first.
func (l *keyList) match(key []byte) string {
	if l.next < len(l.names) && string(key) == l.names[l.next] {
		l.next++
		return l.names[l.next-1]
	}
	for i, n := range l.names {
		if string(key) == n {
			l.next = i + 1
			return n
		}
	}
	return canonicalKey(key, l.names)
}

// canonicalKey returns the name in names that key matches, exactly or else
// under Unicode case folding as encoding/json matches keys, or "".
func canonicalKey(key []byte, names []string) string {
	for _, n := range names {
		if string(key) == n {
			return n
		}
	}
	for _, n := range names {
		if strings.EqualFold(string(key), n) {
			return n
		}
	}
	return ""
}

// member starts an object member: it records the key in the path and
// returns its canonical name.
func (d *decoder) member(key []byte, keys *keyList) string {
	name := keys.match(key)
	if name == "" {
		d.setKey(d.internBytes(key), nil)
		return ""
	}
	d.setKey(name, nil)
	return name
}

func (d *decoder) export(e *Export) error {
	_, err := d.object(func(key []byte) error {
		switch d.member(key, &d.keys.export) {
		case "entries":
			return d.entries(e)
		case "users":
			return decodeList(d, &e.Users, func(_ int, v *User) error { return d.user(v) })
		case "fields":
			return decodeList(d, &e.Fields, func(_ int, v *Field) error { return d.field(v) })
		case "timeFrames":
			return decodeList(d, &e.TimeFrames, func(_ int, v *TimeFrame) error { return d.timeFrame(v) })
		case "timePeriods":
			return decodeList(d, &e.TimePeriods, func(_ int, v *TimePeriod) error { return d.timePeriod(v) })
		case "data":
			return d.wrapped(e)
		case "period":
			if d.owner {
				var err error
				d.period, err = d.text(true, false)
				return err
			}
		}
		return d.skip(nil)
	})
	return err
}

// wrapped decodes a "data" member: an object is the export itself, and any
// other value is skipped.
func (d *decoder) wrapped(e *Export) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c == '{' {
		return d.export(e)
	}
	return d.skip(nil)
}

// sampleEntries is the number of entries decoded before the entries slice
// is sized from their average length and the input size.
const sampleEntries = 256

// minEntryBytes is the smallest length of JSON per entry that the size
// estimate assumes, so it reserves at most about twice the input size.
const minEntryBytes = 64

func (d *decoder) entries(e *Export) error {
	d.owners = d.owners[:0]
	start := d.offset()
	err := decodeList(d, &e.Entries, func(i int, en *Entry) error {
		if i == sampleEntries {
			d.reserveEntries(&e.Entries, start)
			en = &e.Entries[i]
			if len(d.owners) > 0 {
				d.owners = slices.Grow(d.owners, cap(e.Entries)-len(d.owners))
			}
		}
		return d.entry(i, en)
	})
	if c, n := cap(e.Entries), len(e.Entries); c-n > n/4+1024 {
		e.Entries = append(make([]Entry, 0, n), e.Entries...)
	}
	return err
}

// reserveEntries grows the capacity of *list, which holds sampleEntries
// decoded entries and one empty one, to the number of entries that the rest of the
// input would hold at their average length. Growing once avoids copying
// the slice as it doubles, which costs more than the rest of decoding.
func (d *decoder) reserveEntries(list *[]Entry, start int64) {
	used := d.offset() - start
	if d.size <= 0 || used <= 0 {
		return
	}
	// Real entries take 150 to 250 bytes of JSON. The floor keeps a sample
	// of tiny entries from reserving far more than the input would fill.
	perEntry := max(used/sampleEntries, minEntryBytes)
	want := int(min((d.size-d.offset())/perEntry*21/20+64, 1<<31))
	if want > cap(*list) {
		*list = append(make([]Entry, 0, want), *list...)
	}
}

// decodeList decodes a JSON array into *list, calling elem for each
// element. Like encoding/json, it leaves nil for null and an empty slice
// for []. elem may change the capacity of *list, but not its elements.
func decodeList[T any](d *decoder, list *[]T, elem func(i int, v *T) error) error {
	*list = []T{}
	isNull, err := d.array(func(i int) error {
		var zero T
		*list = append(*list, zero)
		return elem(i, &(*list)[i])
	})
	if isNull {
		*list = nil
	}
	return err
}

func (d *decoder) entry(i int, en *Entry) error {
	_, err := d.object(func(key []byte) error {
		var err error
		switch name := d.member(key, &d.keys.entry); name {
		case "timePeriodId":
			en.TimePeriodID, err = d.text(true, false)
		case "timeFrameId":
			en.TimeFrameID, err = d.id()
		case "userId":
			en.UserID, err = d.id()
		case "fieldId":
			en.FieldID, err = d.text(true, false)
		case "forecastValue":
			en.ForecastValue, err = d.amount()
		case "currency":
			en.Currency, err = d.text(true, true)
		case "isUpdated":
			en.IsUpdated, err = d.boolean()
		case "updatedBy":
			en.UpdatedBy, err = d.id()
		case "updatedOn":
			en.UpdatedOn, err = d.integer()
		default:
			if d.owner {
				return d.ownerMember(en, i, name)
			}
			err = d.skip(nil)
		}
		return err
	})
	return err
}

// ownerInfo holds the keys of an entry of the per-owner export shape that
// have no place in Entry.
type ownerInfo struct {
	email, name string
	seen        bool
}

// ownerMember decodes a member of the per-owner shape into entry i;
// name is the key's canonical name, "" for an unknown key.
func (d *decoder) ownerMember(en *Entry, i int, name string) error {
	if name == "" {
		return d.skip(nil)
	}
	for len(d.owners) <= i {
		d.owners = append(d.owners, ownerInfo{})
	}
	o := &d.owners[i]
	o.seen = true
	var err error
	switch name {
	case "ownerId":
		en.UserID, err = d.id()
	case "ownerEmail":
		o.email, err = d.text(false, false)
	case "ownerName":
		o.name, err = d.text(false, false)
	case "forecastAmount":
		en.ForecastValue, err = d.amount()
	case "period":
		en.TimePeriodID, err = d.text(true, false)
	}
	return err
}

func (d *decoder) user(u *User) error {
	_, err := d.object(func(key []byte) error {
		var err error
		switch d.member(key, &d.keys.user) {
		case "userId":
			u.UserID, err = d.id()
		case "crmId":
			u.CRMID, err = d.text(false, false)
		case "email":
			u.Email, err = d.text(false, false)
		case "name":
			u.Name, err = d.text(false, false)
		case "hierarchyId":
			u.HierarchyID, err = d.id()
		case "hierarchyName":
			u.HierarchyName, err = d.text(true, false)
		case "parentHierarchyId":
			u.ParentHierarchyID, err = d.id()
		case "parentHierarchyName":
			u.ParentHierarchyName, err = d.text(true, false)
		case "scopeId":
			u.ScopeID, err = d.text(false, true)
		default:
			err = d.skip(nil)
		}
		return err
	})
	return err
}

func (d *decoder) field(f *Field) error {
	_, err := d.object(func(key []byte) error {
		var err error
		switch d.member(key, &d.keys.field) {
		case "fieldId":
			f.FieldID, err = d.text(true, false)
		case "fieldName":
			f.FieldName, err = d.text(true, false)
		case "fieldType":
			f.FieldType, err = d.text(true, false)
		default:
			err = d.skip(nil)
		}
		return err
	})
	return err
}

func (d *decoder) timeFrame(t *TimeFrame) error {
	_, err := d.object(func(key []byte) error {
		var err error
		switch d.member(key, &d.keys.timeFrame) {
		case "timeFrameId":
			t.TimeFrameID, err = d.id()
		case "startDate":
			t.StartDate, err = d.text(true, false)
		case "endDate":
			t.EndDate, err = d.text(true, false)
		default:
			err = d.skip(nil)
		}
		return err
	})
	return err
}

func (d *decoder) timePeriod(p *TimePeriod) error {
	_, err := d.object(func(key []byte) error {
		var err error
		switch d.member(key, &d.keys.timePeriod) {
		case "timePeriodId":
			p.TimePeriodID, err = d.text(true, false)
		case "startDate":
			p.StartDate, err = d.text(true, false)
		case "endDate":
			p.EndDate, err = d.text(true, false)
		case "label":
			p.Label, err = d.text(true, false)
		case "year":
			var y int64
			y, err = d.integer()
			p.Year = int(y)
		case "crmId":
			p.CRMID, err = d.text(false, false)
		case "type":
			p.Type, err = d.text(true, false)
		default:
			err = d.skip(nil)
		}
		return err
	})
	return err
}

// amount reads a forecast value: null is nil, and a number or a string
// holding a decimal is parsed exactly.
func (d *decoder) amount() (*diff.Amount, error) {
	c, err := d.peek()
	if err != nil {
		return nil, err
	}
	offset := d.base + int64(d.pos)
	var v diff.Amount
	switch {
	case c == 'n':
		return nil, d.expect("null")
	case c == '-' || isDigit(c):
		lit, err := d.number()
		if err != nil {
			return nil, err
		}
		var ok bool
		if v, ok = fastAmount(lit); !ok {
			v, err = diff.ParseAmount(string(lit))
		}
		if err != nil {
			return nil, d.amountError(offset, lit, err)
		}
	case c == '"':
		s, err := d.stringBytes()
		if err != nil {
			return nil, err
		}
		if v, err = diff.ParseAmount(string(s)); err != nil {
			return nil, d.amountError(offset, s, err)
		}
	default:
		return nil, d.syntaxError("want a number, a decimal string or null")
	}
	return d.newAmount(v), nil
}

// amountError returns the DecodeError for the rejected amount text lit.
// The DecodeError message already contains "invalid amount" and quotes
// lit, so its Err carries only the reason that err from diff.ParseAmount
// gives.
func (d *decoder) amountError(offset int64, lit []byte, err error) error {
	return d.errorAt(offset, "invalid amount", clipValue(string(lit)), amountReason(err))
}

// reasonError is an error whose message is only a reason, while Unwrap
// still returns the full error, so errors.Is matches diff.ErrAmount.
type reasonError struct {
	reason string
	err    error
}

func (e *reasonError) Error() string { return e.reason }
func (e *reasonError) Unwrap() error { return e.err }

// amountReason strips the `diff: invalid amount "value": ` prefix from
// err. It returns err unchanged when the message has another form.
func amountReason(err error) error {
	rest, ok := strings.CutPrefix(err.Error(), diff.ErrAmount.Error()+" ")
	if !ok {
		return err
	}
	quoted, qerr := strconv.QuotedPrefix(rest)
	if qerr != nil {
		return err
	}
	reason, ok := strings.CutPrefix(rest[len(quoted):], ": ")
	if !ok || reason == "" {
		return err
	}
	return &reasonError{reason: reason, err: err}
}

// newAmount returns a pointer to a copy of v. The copies come from blocks
// of 1024, so that decoding does not allocate once per value.
func (d *decoder) newAmount(v diff.Amount) *diff.Amount {
	if len(d.amounts) == cap(d.amounts) {
		d.amounts = make([]diff.Amount, 0, 1024)
	}
	d.amounts = append(d.amounts, v)
	return &d.amounts[len(d.amounts)-1]
}

// fastAmount converts a valid JSON number with at most 12 integer digits,
// at most 6 decimals and no exponent to an amount. Other numbers report
// false and go to diff.ParseAmount.
func fastAmount(b []byte) (diff.Amount, bool) {
	i, neg := 0, false
	if b[0] == '-' {
		i, neg = 1, true
	}
	var units int64
	start := i
	for ; i < len(b) && isDigit(b[i]); i++ {
		units = units*10 + int64(b[i]-'0')
	}
	if i-start > 12 {
		return diff.Amount{}, false
	}
	micros := units * 1_000_000
	if i < len(b) && b[i] == '.' {
		scale := int64(100_000)
		for i++; i < len(b) && isDigit(b[i]); i++ {
			if scale == 0 {
				return diff.Amount{}, false
			}
			micros += int64(b[i]-'0') * scale
			scale /= 10
		}
	}
	if i != len(b) {
		return diff.Amount{}, false
	}
	if neg {
		micros = -micros
	}
	return diff.AmountFromMicros(micros), true
}
