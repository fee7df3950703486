package clari

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// Field and user of the per-owner export shape.
const (
	// OwnerFieldID is the field id of the values of a per-owner export.
	OwnerFieldID = "forecast"
	// OwnerFieldName is the field name of the values of a per-owner export.
	OwnerFieldName = "Forecast"
)

// ReadOptions configures [ReadOptions.Read] and [ReadOptions.ReadFile].
// The zero value is what [Read] and [ReadFile] use.
type ReadOptions struct {
	// Period is the time period of the entries of a per-owner export that
	// give none: an entry's "period" or "timePeriodId" key comes first,
	// then a top-level "period" key, then Period.
	Period string
}

// Read decodes an export from r with the zero [ReadOptions].
func Read(r io.Reader) (*Export, error) { return ReadOptions{}.Read(r) }

// ReadFile decodes the export in the file at path with the zero
// [ReadOptions].
func ReadFile(path string) (*Export, error) { return ReadOptions{}.ReadFile(path) }

// Read decodes an export from r, streaming, with the rules of [Decode].
//
// Read also accepts the per-owner shape that many internal tools write:
//
//	{"period": "2025_Q3", "entries": [{"ownerEmail": "ana@example.com",
//	  "ownerName": "Ana", "ownerId": "2915", "forecastAmount": 125000}]}
//
// where "ownerId", "period" (top level or per entry, also spelled
// "timePeriodId") are optional. Each such entry becomes an entry of the
// field [OwnerFieldID]; its userId is ownerId, or else the email trimmed and
// lower-cased, so that a change of case keeps the owner. Users, the field
// and the time periods are derived from the entries. An entry that ends up
// with no period, or with neither ownerId nor ownerEmail, is an error.
func (o ReadOptions) Read(r io.Reader) (*Export, error) {
	d := newDecoder(r, nil)
	d.owner = true
	e, err := d.decode()
	if err != nil {
		return nil, err
	}
	if err := o.convertOwners(e, d); err != nil {
		return nil, err
	}
	return e, nil
}

// ReadFile decodes the export in the file at path, as [ReadOptions.Read]
// does. Every error it returns is a *[FileError].
func (o ReadOptions) ReadFile(path string) (*Export, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	defer f.Close()
	e, err := o.Read(f)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return e, nil
}

// FileError reports a failure to open, read or decode an export file.
type FileError struct {
	Path string // the path as given
	Err  error  // a *DecodeError, or the error from the file system
}

// Error returns the path and the underlying error.
func (e *FileError) Error() string {
	return fmt.Sprintf("clari: export file %s: %s", e.Path, strings.TrimPrefix(e.Err.Error(), "clari: "))
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// convertOwners turns the entries that had per-owner keys into entries of
// the field OwnerFieldID, and derives users, the field and time periods.
func (o ReadOptions) convertOwners(e *Export, d *decoder) error {
	if len(d.owners) == 0 {
		return nil
	}
	for i, info := range d.owners {
		if info.seen {
			if err := o.ownerEntry(&e.Entries[i], i, info, d.period); err != nil {
				return err
			}
		}
	}
	if !addOwnersUnique(e, d) {
		addOwners(e, d)
	}
	knownPeriods := make(map[string]bool, len(e.TimePeriods))
	for _, p := range e.TimePeriods {
		knownPeriods[p.TimePeriodID] = true
	}
	lastPeriod := ""
	for i, info := range d.owners {
		if id := e.Entries[i].TimePeriodID; info.seen && id != lastPeriod {
			lastPeriod = id
			if !knownPeriods[id] {
				knownPeriods[id] = true
				e.TimePeriods = append(e.TimePeriods, TimePeriod{TimePeriodID: id})
			}
		}
	}
	if !slices.ContainsFunc(e.Fields, func(f Field) bool { return f.FieldID == OwnerFieldID }) {
		e.Fields = append(e.Fields, Field{FieldID: OwnerFieldID, FieldName: OwnerFieldName})
	}
	return nil
}

// addOwners appends a user for each owner of the per-owner entries that
// e.Users lacks, in the order of the entries.
func addOwners(e *Export, d *decoder) {
	known := make(map[ID]struct{}, len(e.Users)+len(d.owners))
	for _, u := range e.Users {
		known[u.UserID] = struct{}{}
	}
	for i, info := range d.owners {
		id := e.Entries[i].UserID
		if _, ok := known[id]; info.seen && !ok {
			known[id] = struct{}{}
			e.Users = append(e.Users, User{UserID: id, Email: info.email, Name: info.name})
		}
	}
}

// addOwnersUnique does what addOwners does when every owner appears in
// one run of entries and no listed user shares an id: it appends a user
// per run, then checks the ids by sorting them, which costs far less
// than a map of 1M ids. It reports false, and appends nothing, when an
// id repeats.
func addOwnersUnique(e *Export, d *decoder) bool {
	if len(e.Users)+len(d.owners) >= math.MaxInt32 {
		return false
	}
	listed, original := len(e.Users), e.Users
	e.Users = slices.Grow(e.Users, len(d.owners))
	last := -1
	for i, info := range d.owners {
		if !info.seen {
			continue
		}
		id := e.Entries[i].UserID
		if last < 0 || e.Entries[last].UserID != id {
			e.Users = append(e.Users, User{UserID: id, Email: info.email, Name: info.name})
		}
		last = i
	}
	ids := make([]rowItem, len(e.Users))
	for k := range e.Users {
		ids[k] = rowItem{prefix: idPrefix(string(e.Users[k].UserID)), entry: int32(k)}
	}
	sortItems(ids, 1, func(a, b rowItem) int {
		return cmp.Or(cmp.Compare(a.prefix, b.prefix),
			strings.Compare(string(e.Users[a.entry].UserID), string(e.Users[b.entry].UserID)),
			cmp.Compare(a.entry, b.entry))
	})
	for k := 1; k < len(ids); k++ {
		if ids[k].prefix == ids[k-1].prefix && e.Users[ids[k].entry].UserID == e.Users[ids[k-1].entry].UserID {
			clear(e.Users[listed:])
			e.Users = original
			return false
		}
	}
	if len(e.Users) == listed {
		e.Users = original
	}
	return true
}

// ownerEntry fills the key of entry i of the per-owner shape.
func (o ReadOptions) ownerEntry(en *Entry, i int, info ownerInfo, topPeriod string) error {
	if en.UserID == "" {
		en.UserID = ID(strings.ToLower(strings.TrimSpace(info.email)))
	}
	if en.UserID == "" {
		return fmt.Errorf("clari: entries[%d] of a per-owner export has neither ownerId nor ownerEmail; add one of them", i)
	}
	if en.TimePeriodID == "" {
		en.TimePeriodID = topPeriod
	}
	if en.TimePeriodID == "" {
		en.TimePeriodID = o.Period
	}
	if en.TimePeriodID == "" {
		return fmt.Errorf("clari: entries[%d] of a per-owner export has no period; add a \"period\" key or set ReadOptions.Period", i)
	}
	en.FieldID = OwnerFieldID
	return nil
}
