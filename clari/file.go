package clari

import (
	"errors"
	"fmt"
	"io"
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
	knownUsers := make(map[ID]struct{}, len(e.Users)+len(d.owners))
	for _, u := range e.Users {
		knownUsers[u.UserID] = struct{}{}
	}
	e.Users = slices.Grow(e.Users, len(d.owners))
	knownPeriods := make(map[string]bool, len(e.TimePeriods))
	for _, p := range e.TimePeriods {
		knownPeriods[p.TimePeriodID] = true
	}
	lastPeriod := ""
	for i, info := range d.owners {
		if !info.seen {
			continue
		}
		en := &e.Entries[i]
		if err := o.ownerEntry(en, i, info, d.period); err != nil {
			return err
		}
		if _, ok := knownUsers[en.UserID]; !ok {
			knownUsers[en.UserID] = struct{}{}
			e.Users = append(e.Users, User{UserID: en.UserID, Email: info.email, Name: info.name})
		}
		if en.TimePeriodID != lastPeriod {
			lastPeriod = en.TimePeriodID
			if !knownPeriods[lastPeriod] {
				knownPeriods[lastPeriod] = true
				e.TimePeriods = append(e.TimePeriods, TimePeriod{TimePeriodID: lastPeriod})
			}
		}
	}
	if !slices.ContainsFunc(e.Fields, func(f Field) bool { return f.FieldID == OwnerFieldID }) {
		e.Fields = append(e.Fields, Field{FieldID: OwnerFieldID, FieldName: OwnerFieldName})
	}
	return nil
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
		return &noPeriodError{entry: i}
	}
	en.FieldID = OwnerFieldID
	return nil
}

// ErrNoPeriod is matched with [errors.Is] by the error that reading a
// per-owner export returns for an entry with no period when neither the
// file nor ReadOptions.Period names one.
var ErrNoPeriod = errors.New("clari: per-owner export names no period")

// noPeriodError is the error for entry, which has no period.
type noPeriodError struct {
	entry int
}

func (e *noPeriodError) Error() string {
	return fmt.Sprintf("clari: entries[%d] of a per-owner export has no period; add a \"period\" key or set ReadOptions.Period", e.entry)
}

func (e *noPeriodError) Is(target error) bool { return target == ErrNoPeriod }
