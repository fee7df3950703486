package copilot

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ID is an identifier that Copilot may send as a JSON string or as a JSON
// number; its REST schema does not fix the type. A number is kept as its
// literal text, so 12345 and "12345" decode to the same ID, and an ID always
// encodes as a JSON string.
type ID string

// UnmarshalJSON decodes a JSON string or number. JSON null leaves the ID
// unchanged; any other value is an error.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("copilot: empty JSON value for an id; send a string or a number")
	}
	switch c := b[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("copilot: id: %w", err)
		}
		*id = ID(s)
	case c == '-' || ('0' <= c && c <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("copilot: id: %w", err)
		}
		*id = ID(n)
	case bytes.Equal(b, []byte("null")):
	default:
		return fmt.Errorf("copilot: id %.40q is neither a JSON string nor a number", b)
	}
	return nil
}
