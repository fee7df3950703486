package clari

import (
	"errors"
	"fmt"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
)

func TestAmountReasonOtherForms(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"other error", errors.New("disk on fire")},
		{"no quoted value", fmt.Errorf("%w: out of range", diff.ErrAmount)},
		{"no reason", fmt.Errorf("%w %q", diff.ErrAmount, "1e400")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := amountReason(tt.err); got != tt.err {
				t.Errorf("amountReason(%q) = %q, want the error unchanged", tt.err, got)
			}
		})
	}
}
