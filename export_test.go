package clariwatch

import (
	"testing"
	"time"
)

// SetMapMinAge sets the minimum age of an export file that a tick maps
// to d until t ends.
func SetMapMinAge(t testing.TB, d time.Duration) {
	old := mapMinAge
	mapMinAge = d
	t.Cleanup(func() { mapMinAge = old })
}
