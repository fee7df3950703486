package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// timer records when each step of a tick started and ended.
type timer struct {
	mu         sync.Mutex
	begin, end time.Time
	spans      map[string][2]time.Time
	logs       map[string]time.Time
}

func (t *timer) span(name string, from time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.spans == nil {
		t.spans = make(map[string][2]time.Time)
	}
	t.spans[name] = [2]time.Time{from, time.Now()}
}

// logger returns a logger that records the time of each message.
func (t *timer) logger() *slog.Logger { return slog.New(logTimes{t}) }

type logTimes struct{ t *timer }

func (h logTimes) Enabled(context.Context, slog.Level) bool { return true }
func (h logTimes) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h logTimes) WithGroup(string) slog.Handler            { return h }
func (h logTimes) Handle(_ context.Context, r slog.Record) error {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	if h.t.logs == nil {
		h.t.logs = make(map[string]time.Time)
	}
	h.t.logs[r.Message] = r.Time
	return nil
}

// print writes when each step of the tick started and ended, in
// milliseconds from the start of the tick. Steps overlap: the head is
// read and decoded while the new export is converted and stored.
func (t *timer) print(w io.Writer, changes int) {
	total := t.end.Sub(t.begin)
	fmt.Fprintf(w, "tick: %v, %d changes\n", total.Round(time.Millisecond), changes)
	type event struct {
		name     string
		from, to time.Time
	}
	var events []event
	for name, s := range t.spans {
		events = append(events, event{name, s[0], s[1]})
	}
	for name, at := range t.logs {
		events = append(events, event{"log: " + name, at, at})
	}
	slices.SortFunc(events, func(a, b event) int { return cmp.Or(a.from.Compare(b.from), a.to.Compare(b.to)) })
	ms := func(at time.Time) float64 { return float64(at.Sub(t.begin).Microseconds()) / 1000 }
	for _, e := range events {
		fmt.Fprintf(w, "  %-42s %9.1f ms to %9.1f ms (%7.1f ms)\n", e.name, ms(e.from), ms(e.to), ms(e.to)-ms(e.from))
	}
}

// timedSource times Fetch.
type timedSource struct {
	clariwatch.Source
	t *timer
}

func (s *timedSource) Fetch(ctx context.Context, req clariwatch.FetchRequest) (*clariwatch.Fetched, error) {
	defer s.t.span("fetch", time.Now())
	return s.Source.Fetch(ctx, req)
}

// timedStore times Put, Get, View and Advance.
type timedStore struct {
	snapshot.Store
	t *timer
}

func (s *timedStore) Put(ctx context.Context, m snapshot.Meta, r io.Reader) (snapshot.Meta, error) {
	defer s.t.span("put", time.Now())
	return s.Store.Put(ctx, m, r)
}

func (s *timedStore) Get(ctx context.Context, id string) (snapshot.Meta, []byte, error) {
	defer s.t.span("get", time.Now())
	return s.Store.Get(ctx, id)
}

// View forwards to the store's View, so that the tick reads the head as
// it does without the wrapper, and times the call as "get".
func (s *timedStore) View(ctx context.Context, id string, fn func(snapshot.Meta, []byte) error) error {
	defer s.t.span("get", time.Now())
	return snapshot.View(ctx, s.Store, id, fn)
}

func (s *timedStore) Head(ctx context.Context, k snapshot.Key) (snapshot.Meta, error) {
	name := "head meta"
	if _, ok := s.t.spans[name]; ok {
		name = "head meta (under the lock)"
	}
	defer s.t.span(name, time.Now())
	return s.Store.Head(ctx, k)
}

func (s *timedStore) Advance(ctx context.Context, k snapshot.Key, expected, id string) error {
	defer s.t.span("advance", time.Now())
	return s.Store.Advance(ctx, k, expected, id)
}

// timedNotifier drops the message and records when it was called.
type timedNotifier struct{ t *timer }

func (n *timedNotifier) Notify(ctx context.Context, m *notify.Message) error {
	n.t.span("notify", time.Now())
	return nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// genExport returns a Clari-shape export of users × 4 fields × 13 weekly
// time frames. With shift, every 50th (user, field) of the last week
// moves by shift percent.
func genExport(users, shift int) []byte {
	const weeks = 13
	fields := []string{"commit", "best_case", "pipeline", "closed"}
	var b bytes.Buffer
	b.Grow(users * len(fields) * weeks * 150)
	b.WriteString(`{"entries":[`)
	for u := range users {
		for f, field := range fields {
			for w := range weeks {
				v := 1000 + u*7 + f*3 + w
				if w == weeks-1 && (u*4+f)%50 == 0 {
					v += shift * v / 100
				}
				if u+f+w > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"timePeriodId":"2026_Q4","timeFrameId":"%d","userId":"%d","fieldId":"%s",`+
					`"forecastValue":%d.25,"currency":"USD","isUpdated":false}`, w, 10000+u, field, v)
			}
		}
	}
	b.WriteString(`],"users":[`)
	for u := range users {
		if u > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"userId":"%d","email":"rep%d@example.com","name":"Rep %d"}`, 10000+u, u, u)
	}
	b.WriteString(`],"fields":[{"fieldId":"commit","fieldName":"Commit"},{"fieldId":"best_case","fieldName":"Best Case"},` +
		`{"fieldId":"pipeline","fieldName":"Pipeline"},{"fieldId":"closed","fieldName":"Closed Won"}],"timeFrames":[`)
	for w := range weeks {
		if w > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"timeFrameId":"%d","startDate":"2026-%02d-%02d","endDate":"2026-%02d-%02d"}`,
			w, 10+w/5, 1+w%5*6, 10+w/5, 6+w%5*6)
	}
	b.WriteString(`],"timePeriods":[{"timePeriodId":"2026_Q4","startDate":"2026-10-01","endDate":"2026-12-31"}]}`)
	return b.Bytes()
}
