package main

import (
	"testing"
	"time"
)

func TestJitterStaysWithinFivePercent(t *testing.T) {
	const every = 4 * time.Hour
	low, high := every-every/20, every+every/20
	for range 1000 {
		if got := jitter(every); got < low || got > high {
			t.Fatalf("jitter(%s) = %s, want within %s to %s", every, got, low, high)
		}
	}
}
