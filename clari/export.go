package clari

import (
	"encoding/json"
	"fmt"

	"github.com/clariwatch/clariwatch/diff"
)

// ID is an identifier that Clari sends as a JSON string or a JSON number.
// Both decode to the same string: 2915 and "2915" are equal.
type ID string

// Export is a decoded JSON forecast export, with the field names of Clari's
// export format.
//
// [Decode] fills string fields from a JSON string, from null as "", or from
// a number kept as its text. Integer fields take a number or a string of
// digits. Unknown keys are ignored at every level.
type Export struct {
	Entries     []Entry      `json:"entries"`
	Users       []User       `json:"users"`
	Fields      []Field      `json:"fields"`
	TimeFrames  []TimeFrame  `json:"timeFrames"`
	TimePeriods []TimePeriod `json:"timePeriods"`
}

// Entry is one forecast value: one user, one field, one time frame.
type Entry struct {
	TimePeriodID string `json:"timePeriodId"`
	TimeFrameID  ID     `json:"timeFrameId"`
	UserID       ID     `json:"userId"`
	FieldID      string `json:"fieldId"`
	// ForecastValue is nil when the export has null or no value: absent,
	// not zero.
	ForecastValue *diff.Amount `json:"forecastValue"`
	// Currency is a code such as "USD". Clari's documents leave its JSON
	// type open, so [Decode] keeps any value that is not a string as
	// compact JSON text.
	Currency  string `json:"currency,omitempty"`
	IsUpdated bool   `json:"isUpdated"`
	UpdatedBy ID     `json:"updatedBy,omitempty"`
	// UpdatedOn is in epoch milliseconds; 0 when absent or null.
	UpdatedOn int64 `json:"updatedOn,omitempty"`
}

// User is a forecast user and their place in the hierarchy.
type User struct {
	UserID              ID     `json:"userId"`
	CRMID               string `json:"crmId,omitempty"`
	Email               string `json:"email"`
	Name                string `json:"name"`
	HierarchyID         ID     `json:"hierarchyId,omitempty"`
	HierarchyName       string `json:"hierarchyName,omitempty"`
	ParentHierarchyID   ID     `json:"parentHierarchyId,omitempty"`
	ParentHierarchyName string `json:"parentHierarchyName,omitempty"`
	// ScopeID is kept like Entry.Currency: text, or compact JSON for a
	// value that is not a string.
	ScopeID string `json:"scopeId,omitempty"`
}

// Field is a forecast field such as "Commit" or "Best Case".
type Field struct {
	FieldID   string `json:"fieldId"`
	FieldName string `json:"fieldName"`
	FieldType string `json:"fieldType,omitempty"`
}

// TimeFrame is one week of a time period. StartDate and EndDate are dates
// as Clari sends them, "2025-08-01".
type TimeFrame struct {
	TimeFrameID ID     `json:"timeFrameId"`
	StartDate   string `json:"startDate"`
	EndDate     string `json:"endDate"`
}

// TimePeriod is a fiscal period, "2025_Q3".
type TimePeriod struct {
	TimePeriodID string `json:"timePeriodId"`
	StartDate    string `json:"startDate,omitempty"`
	EndDate      string `json:"endDate,omitempty"`
	Label        string `json:"label,omitempty"`
	Year         int    `json:"year,omitempty"`
	CRMID        string `json:"crmId,omitempty"`
	Type         string `json:"type,omitempty"`
}

// UnmarshalJSON accepts a JSON string, a JSON number (kept as its literal
// text, so 2915 becomes "2915") or null (the empty ID).
func (id *ID) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
		return fmt.Errorf("clari: invalid id: empty value")
	case string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("clari: invalid id %s: %w", clipValue(string(b)), err)
		}
		*id = ID(s)
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*id = ID(b)
		return nil
	}
	return fmt.Errorf("clari: invalid id %s: want a string or a number", clipValue(string(b)))
}
