package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
)

// fakeClock is a notify.Clock whose Sleep returns at once. With advance
// set, Sleep moves the time forward by d. Without it, the time does not
// change, so every rate-limiter delay is measured from one instant.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	advance bool
	sleeps  []time.Duration
}

var (
	clockMu   sync.Mutex
	clockBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// newFakeClock starts each clock far after the previous one, so that the
// process-wide pacer of a reused loopback port never observes time going
// back.
func newFakeClock(advance bool) *fakeClock {
	clockMu.Lock()
	defer clockMu.Unlock()
	clockBase = clockBase.Add(1000 * time.Hour)
	return &fakeClock{now: clockBase, advance: advance}
}

var _ notify.Clock = (*fakeClock)(nil)

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.sleeps = append(c.sleeps, d)
		if c.advance {
			c.now = c.now.Add(d)
		}
	}
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func amount(s string) *diff.Amount {
	a := diff.MustParseAmount(s)
	return &a
}

func float(f float64) *float64 { return &f }

// sampleReport is a report with two moves, an added rep and a removed rep.
func sampleReport() *diff.Report {
	return &diff.Report{
		Periods: []string{"2026-Q3"},
		Changes: []diff.Change{
			{
				Kind: diff.KindChanged, Period: "2026-Q3", OwnerID: "u1", Email: "jane@example.com",
				Name: "Jane Doe", Field: "commit", FieldName: "Commit",
				Previous: amount("1000000"), Current: amount("1100000"), Delta: *amount("100000"),
				Percent: float(10), Direction: diff.Increased,
			},
			{
				Kind: diff.KindToZero, Period: "2026-Q3", OwnerID: "u2", Email: "raj@example.com",
				Name: "Raj Patel", Field: "best", FieldName: "Best Case",
				Previous: amount("250000.5"), Current: amount("0"), Delta: *amount("-250000.5"),
				Percent: float(-100), Direction: diff.Decreased,
			},
			{
				Kind: diff.KindAdded, Period: "2026-Q3", OwnerID: "u3", Email: "ana@example.com",
				Name: "Ana Lima", Field: "commit", FieldName: "Commit",
				Current: amount("50000"), Delta: *amount("50000"), Direction: diff.Increased,
			},
			{
				Kind: diff.KindRemoved, Period: "2026-Q3", OwnerID: "u4", Email: "bo@example.com",
				Name: "Bo Chen", Field: "commit", FieldName: "Commit",
				Previous: amount("75000"), Delta: *amount("-75000"), Direction: diff.Decreased,
			},
		},
		Summary: diff.Summary{Compared: 40, Changed: 2, Added: 1, Removed: 1, Unchanged: 30, BelowThreshold: 6},
	}
}

// manyChanges returns a report with n increases.
func manyChanges(n int) *diff.Report {
	r := &diff.Report{Periods: []string{"2026-Q3"}, Summary: diff.Summary{Compared: n, Changed: n}}
	for i := range n {
		r.Changes = append(r.Changes, diff.Change{
			Kind: diff.KindChanged, Period: "2026-Q3", OwnerID: "u", Email: "rep@example.com",
			Name: "Rep & <Co>", Field: "commit", FieldName: "Commit",
			Previous: amount("1000"), Current: amount("2000"), Delta: *amount("1000"),
			Percent: float(100), Direction: diff.Increased,
		})
		r.Changes[i].OwnerID = "u" + string(rune('a'+i%26))
	}
	return r
}
