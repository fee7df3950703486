//go:build !race

package copilot_test

const raceEnabled = false
