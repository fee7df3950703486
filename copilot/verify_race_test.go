//go:build race

package copilot_test

// raceEnabled reports whether the race detector is on; it makes sync.Pool
// drop items at random, so allocation counts are not checked.
const raceEnabled = true
