package clari_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/diff"
)

func TestDecodeAmountErrorMessage(t *testing.T) {
	tests := []struct {
		name   string
		value  string
		quoted string
		reason string
	}{
		{"number out of range", `1e400`, `"1e400"`, "out of range"},
		{"string out of range", `"1e400"`, `"1e400"`, "out of range"},
		{"too precise", `1.0000001`, `"1.0000001"`, "decimal places"},
		{"not a number", `"12abc"`, `"12abc"`, "not a decimal number"},
		{"long value", `"` + strings.Repeat("9", 100) + `"`, `"` + strings.Repeat("9", 40) + `..."`, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"entries":[{"userId":"u1","forecastValue":` + tt.value + `}]}`
			_, err := clari.Decode(strings.NewReader(in))
			if err == nil {
				t.Fatal("Decode error = nil, want an invalid amount error")
			}
			if !errors.Is(err, diff.ErrAmount) {
				t.Errorf("Decode error %q does not match diff.ErrAmount", err)
			}
			msg := err.Error()
			if n := strings.Count(msg, "invalid amount"); n != 1 {
				t.Errorf("Decode error %q says invalid amount %d times, want once", msg, n)
			}
			if n := strings.Count(msg, tt.quoted); n != 1 {
				t.Errorf("Decode error %q names %s %d times, want once", msg, tt.quoted, n)
			}
			if !strings.Contains(msg, "entries[0].forecastValue") {
				t.Errorf("Decode error %q does not name the JSON path", msg)
			}
			if !strings.Contains(msg, "at byte 43") {
				t.Errorf("Decode error %q does not name the offset 43", msg)
			}
			if !strings.Contains(msg, tt.reason) {
				t.Errorf("Decode error %q does not give the reason %q", msg, tt.reason)
			}
		})
	}
}
