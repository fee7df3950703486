package clari

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/clariwatch/clariwatch/diff"
)

// Period returns the time period of the export: the id of the first entry
// of timePeriods, or, when that list is empty, the period of the first
// entry. It returns "" for an export with neither.
func (e *Export) Period() string {
	if len(e.TimePeriods) > 0 {
		return e.TimePeriods[0].TimePeriodID
	}
	if len(e.Entries) > 0 {
		return e.Entries[0].TimePeriodID
	}
	return ""
}

// rowKey identifies one row: a user's value of one field in one period.
type rowKey struct {
	period string
	user   ID
	field  string
}

// Rows converts the export to diff rows, one for each (period, user,
// field), sorted by period, owner id and field.
//
// A row takes the value of the entry with the latest time frame among the
// entries that have a value. Entries with a null or absent forecastValue
// are skipped, so a week not yet filled in does not hide the last value.
// Time frame ids compare as integers when both are decimal integers, so
// "10" comes after "9". Other ids compare by the startDate that timeFrames
// gives them, and then as strings. Of two entries with the same time frame, the
// later one in the export wins.
//
// OwnerID is always the Clari userId, so the diff key of an owner survives a
// change of email address or of its case. Email and Name come from users,
// and stay empty for a user missing from users. FieldName comes from
// fields, or is the field id for a field missing from fields.
//
// Rows returns an error for an entry with a value but no timePeriodId,
// userId or fieldId.
func (e *Export) Rows() ([]diff.Row, error) {
	if len(e.Entries) >= math.MaxInt32 {
		return e.rowsByMap()
	}
	items, aligned, err := e.rowRuns()
	if err != nil {
		return nil, err
	}
	if items == nil {
		return e.rowsByMap()
	}
	return e.rowsFromItems(items, aligned), nil
}

// rowsByMap is Rows for any order of entries: it keeps the latest entry of
// each key in a map and sorts the rows built from it.
func (e *Export) rowsByMap() ([]diff.Row, error) {
	latest := make(map[rowKey]int, len(e.Entries))
	starts := e.frameStarts()
	for i := range e.Entries {
		en := &e.Entries[i]
		if en.ForecastValue == nil {
			continue
		}
		if err := en.checkKey(i); err != nil {
			return nil, err
		}
		k := rowKey{en.TimePeriodID, en.UserID, en.FieldID}
		j, ok := latest[k]
		if !ok || compareFrames(en.TimeFrameID, e.Entries[j].TimeFrameID, starts) >= 0 {
			latest[k] = i
		}
	}
	return e.buildRows(latest), nil
}

// checkKey checks that entry i has the parts of a row key.
func (en *Entry) checkKey(i int) error {
	missing := ""
	switch {
	case en.TimePeriodID == "":
		missing = "timePeriodId"
	case en.UserID == "":
		missing = "userId"
	case en.FieldID == "":
		missing = "fieldId"
	default:
		return nil
	}
	return fmt.Errorf("clari: entries[%d] has a forecastValue but no %s; fix the export or drop the entry", i, missing)
}

func (e *Export) buildRows(latest map[rowKey]int) []diff.Row {
	users := make(map[ID]*User, len(e.Users))
	for i := range e.Users {
		if _, ok := users[e.Users[i].UserID]; !ok {
			users[e.Users[i].UserID] = &e.Users[i]
		}
	}
	fieldNames := make(map[string]string, len(e.Fields))
	for _, f := range e.Fields {
		if _, ok := fieldNames[f.FieldID]; !ok {
			fieldNames[f.FieldID] = f.FieldName
		}
	}
	rows := make([]diff.Row, 0, len(latest))
	for k, i := range latest {
		r := diff.Row{
			Period:    k.period,
			OwnerID:   string(k.user),
			Field:     k.field,
			FieldName: k.field,
			Value:     *e.Entries[i].ForecastValue,
		}
		if u := users[k.user]; u != nil {
			r.Email, r.Name = u.Email, u.Name
		}
		if name, ok := fieldNames[k.field]; ok && name != "" {
			r.FieldName = name
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b diff.Row) int {
		return cmp.Or(
			strings.Compare(a.Period, b.Period),
			strings.Compare(a.OwnerID, b.OwnerID),
			strings.Compare(a.Field, b.Field),
		)
	})
	return rows
}

// frameStarts maps each time frame id to its start date, the first one
// given for an id that repeats.
func (e *Export) frameStarts() map[ID]string {
	starts := make(map[ID]string, len(e.TimeFrames))
	for _, tf := range e.TimeFrames {
		if _, ok := starts[tf.TimeFrameID]; !ok {
			starts[tf.TimeFrameID] = tf.StartDate
		}
	}
	return starts
}

// compareFrames orders two time frame ids: as integers when both are
// decimal integers, else by start date when both have one, else as
// strings.
func compareFrames(a, b ID, starts map[ID]string) int {
	if isDecimal(string(a)) && isDecimal(string(b)) {
		return compareDecimal(string(a), string(b))
	}
	sa, sb := starts[a], starts[b]
	if sa != "" && sb != "" && sa != sb {
		return strings.Compare(sa, sb)
	}
	return strings.Compare(string(a), string(b))
}

// isDecimal reports whether s is a non-empty string of ASCII digits.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// compareDecimal compares two strings of digits as integers of any size.
func compareDecimal(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
