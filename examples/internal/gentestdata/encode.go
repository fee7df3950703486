package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// cents is an amount of money that encodes as a JSON number with two
// decimals, 1234.50, without passing through float64.
type cents int64

// MarshalJSON implements [json.Marshaler].
func (c cents) MarshalJSON() ([]byte, error) {
	return []byte(formatCents(int64(c))), nil
}

// formatCents formats an amount in cents as a decimal with two decimals.
func formatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

type timePeriodJSON struct {
	TimePeriodID string `json:"timePeriodId"`
	StartDate    string `json:"startDate"`
	EndDate      string `json:"endDate"`
	Label        string `json:"label"`
	Year         int    `json:"year"`
	CRMID        string `json:"crmId"`
	Type         string `json:"type"`
}

type timeFrameJSON struct {
	TimeFrameID string `json:"timeFrameId"`
	StartDate   string `json:"startDate"`
	EndDate     string `json:"endDate"`
}

type fieldJSON struct {
	FieldID   string `json:"fieldId"`
	FieldName string `json:"fieldName"`
	FieldType string `json:"fieldType"`
}

type userJSON struct {
	UserID              any     `json:"userId"`
	CRMID               string  `json:"crmId"`
	Email               string  `json:"email"`
	Name                string  `json:"name"`
	HierarchyID         string  `json:"hierarchyId"`
	HierarchyName       string  `json:"hierarchyName"`
	ParentHierarchyID   *string `json:"parentHierarchyId"`
	ParentHierarchyName *string `json:"parentHierarchyName"`
	ScopeID             string  `json:"scopeId"`
}

type entryJSON struct {
	TimePeriodID  string  `json:"timePeriodId"`
	TimeFrameID   any     `json:"timeFrameId"`
	UserID        string  `json:"userId"`
	FieldID       string  `json:"fieldId"`
	ForecastValue *cents  `json:"forecastValue"`
	Currency      string  `json:"currency"`
	IsUpdated     bool    `json:"isUpdated"`
	UpdatedBy     *string `json:"updatedBy"`
	UpdatedOn     *int64  `json:"updatedOn"`
}

type ownerJSON struct {
	OwnerEmail     string `json:"ownerEmail"`
	OwnerName      string `json:"ownerName"`
	ForecastAmount cents  `json:"forecastAmount"`
}

// member is one top-level key of a JSON object whose values are arrays.
type member struct {
	name  string
	items []any
}

// encodeObject writes a JSON object of arrays with one array element per
// line, which keeps the files small and their diffs readable.
func encodeObject(members []member) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, m := range members {
		fmt.Fprintf(&b, "  %q: [", m.name)
		for j, item := range m.items {
			line, err := json.Marshal(item)
			if err != nil {
				return nil, fmt.Errorf("gentestdata: encode %s[%d]: %w", m.name, j, err)
			}
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    ")
			b.Write(line)
		}
		if len(m.items) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteByte(']')
		if i < len(members)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// encodeExport encodes export n in Clari's JSON export shape.
func encodeExport(ds *dataset, n int) ([]byte, error) {
	latest := firstLatestWeek + n - 1
	var users, entries []any
	for _, p := range ds.people() {
		if !p.inExport(n) {
			continue
		}
		users = append(users, userOf(p, n))
		for _, f := range fields {
			for w := 0; w <= latest; w++ {
				entries = append(entries, entryOf(p, f.id, w))
			}
		}
	}
	return encodeObject([]member{
		{"entries", entries},
		{"users", users},
		{"fields", fieldItems()},
		{"timeFrames", timeFrameItems()},
		{"timePeriods", []any{timePeriodJSON{
			TimePeriodID: periodID,
			StartDate:    weekStart(0).Format("2006-01-02"),
			EndDate:      weekEnd(weekCount - 1).Format("2006-01-02"),
			Label:        "Q4",
			Year:         2026,
			CRMID:        "0268c000000QrT4AAK",
			Type:         "quarter",
		}}},
	})
}

// userOf returns the users[] item of p in export n. Some userId values are
// JSON numbers, as Clari's format leaves the type open.
func userOf(p *person, n int) userJSON {
	u := userJSON{
		UserID:        strconv.Itoa(p.userID),
		CRMID:         p.crmID,
		Email:         p.emailIn(n),
		Name:          p.first + " " + p.last,
		HierarchyID:   p.hierarchyID,
		HierarchyName: p.role,
		ScopeID:       fmt.Sprintf("%d::%s", p.userID, p.level),
	}
	if p.numericID {
		u.UserID = p.userID
	}
	if p.parent != nil {
		u.ParentHierarchyID = &p.parent.hierarchyID
		u.ParentHierarchyName = &p.parent.role
	}
	return u
}

// entryOf returns the entries[] item of one field of p in week w. The
// closed field carries its timeFrameId as a JSON number, the others as a
// string, so that both forms appear.
func entryOf(p *person, field string, w int) entryJSON {
	c := p.cells[field][w]
	e := entryJSON{
		TimePeriodID: periodID,
		TimeFrameID:  strconv.Itoa(w),
		UserID:       strconv.Itoa(p.userID),
		FieldID:      field,
		Currency:     currency,
		IsUpdated:    c.updated,
	}
	if field == "closed" {
		e.TimeFrameID = w
	}
	if !c.null {
		v := cents(c.value)
		e.ForecastValue = &v
	}
	if c.updated {
		by := strconv.Itoa(c.updatedBy.userID)
		e.UpdatedBy = &by
		e.UpdatedOn = &c.updatedOn
	}
	return e
}

func fieldItems() []any {
	var items []any
	for _, f := range fields {
		items = append(items, fieldJSON{f.id, f.name, f.kind})
	}
	return items
}

func timeFrameItems() []any {
	var items []any
	for w := range weekCount {
		items = append(items, timeFrameJSON{
			TimeFrameID: strconv.Itoa(w),
			StartDate:   weekStart(w).Format("2006-01-02"),
			EndDate:     weekEnd(w).Format("2006-01-02"),
		})
	}
	return items
}

// encodeOwners encodes owners-n.json: the commit of every rep in the
// latest week of export n, in the per-owner shape of internal tools.
// owners-2.json already drops the rep removed in export-3 and adds the one
// added there, so that the pair holds an added and a removed owner.
func encodeOwners(ds *dataset, n int) ([]byte, error) {
	latest := firstLatestWeek + n - 1
	var owners []any
	for i, r := range ds.reps {
		in := r.inExport(n)
		if n == 2 && (i == repLiamWalsh || i == repNoraQuinn) {
			in = !in
		}
		if !in {
			continue
		}
		owners = append(owners, ownerJSON{
			OwnerEmail:     r.emailIn(n),
			OwnerName:      r.first + " " + r.last,
			ForecastAmount: cents(r.cells["commit"][latest].value),
		})
	}
	return encodeObject([]member{{"entries", owners}})
}
