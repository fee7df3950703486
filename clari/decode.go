package clari

import (
	"encoding/json"
	"fmt"
	"io"
)

// Decode reads one JSON forecast export from r. The input must hold one
// JSON object and nothing after it but white space.
func Decode(r io.Reader) (*Export, error) {
	d := json.NewDecoder(r)
	var e Export
	if err := d.Decode(&e); err != nil {
		return nil, fmt.Errorf("clari: invalid export at byte %d: %w", d.InputOffset(), err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("clari: invalid export: data after the top-level object at byte %d", d.InputOffset())
	}
	return &e, nil
}

// truncate shortens s to about 40 bytes for error messages.
func truncate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
