package clari

import (
	"context"
	"time"
)

// SetClock replaces the client's sleep and jitter functions, so that
// tests in package clari_test wait on no real timer.
func SetClock(c *Client, sleep func(context.Context, time.Duration) error, jitter func() float64) {
	c.sleep = sleep
	c.jitter = jitter
}
