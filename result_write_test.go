package clariwatch_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"testing"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/snapshot"
)

// resultWithChanges returns a result whose report has n changes.
func resultWithChanges(n int) *clariwatch.Result {
	changes := make([]diff.Change, n)
	for i := range changes {
		prev, _ := diff.NewAmount(int64(i), 2)
		cur, _ := diff.NewAmount(int64(2*i+1), 2)
		delta, _ := cur.Sub(prev)
		pct := float64(i) / 3
		changes[i] = diff.Change{
			Kind: diff.KindChanged, Period: "2026_Q4", Email: fmt.Sprintf("rep%d@example.com", i),
			Name: fmt.Sprintf("Rep \"%d\" <x>", i), Field: "forecast", FieldName: "Forecast",
			Previous: &prev, Current: &cur, Delta: delta, Percent: &pct, Direction: diff.Increased,
		}
	}
	return &clariwatch.Result{
		Stream:     snapshot.Key{ForecastID: "net_bookings", TimePeriod: "2026_Q4"},
		SnapshotID: "s2", HeadID: "s1", Advanced: true,
		Report: &diff.Report{Periods: []string{"2026_Q4"}, Changes: changes,
			Summary: diff.Summary{Compared: n, Changed: n}},
	}
}

func TestWriteJSONMatchesMarshalJSON(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4096, 4097, 3*4096 + 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			res := resultWithChanges(n)
			want, err := res.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := res.WriteJSON(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("WriteJSON wrote %d bytes that differ from the %d of MarshalJSON", got.Len(), len(want))
			}
		})
	}
}

func TestWriteJSONEmptyResult(t *testing.T) {
	res := &clariwatch.Result{Baseline: true}
	want, err := res.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := res.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("WriteJSON = %s, want %s", got.Bytes(), want)
	}
}

// failingWriter fails on write number failAt, counted from 1.
type failingWriter struct {
	writes, failAt int
	n              int
}

var errWrite = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes == w.failAt {
		return 0, errWrite
	}
	w.n += len(p)
	return len(p), nil
}

func TestWriteJSONWriterFails(t *testing.T) {
	res := resultWithChanges(5 * 4096)
	// Write 1 is the head, then one write per part of the changes, and
	// the last one the tail.
	for _, failAt := range []int{1, 2, 3, 6, 7} {
		t.Run(fmt.Sprint(failAt), func(t *testing.T) {
			w := &failingWriter{failAt: failAt}
			if err := res.WriteJSON(w); !errors.Is(err, errWrite) {
				t.Fatalf("WriteJSON = %v, want %v", err, errWrite)
			}
			if w.writes != failAt {
				t.Errorf("WriteJSON made %d writes, want %d: it must stop at the failed one", w.writes, failAt)
			}
		})
	}
}

func TestWriteJSONNonFinitePercent(t *testing.T) {
	res := resultWithChanges(10_000)
	inf := math.Inf(1)
	res.Report.Changes[9_000].Percent = &inf
	var out bytes.Buffer
	if err := res.WriteJSON(&out); err == nil {
		t.Fatal("WriteJSON with an infinite percent returned no error")
	}
	if out.Len() != 0 {
		t.Errorf("WriteJSON wrote %d bytes before failing, want none", out.Len())
	}
}

// shortWriter takes at most half of each write and reports no error.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestWriteJSONShortWrite(t *testing.T) {
	for _, n := range []int{0, 3 * 4096} {
		if err := resultWithChanges(n).WriteJSON(shortWriter{}); !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("%d changes: WriteJSON to a short writer = %v, want io.ErrShortWrite", n, err)
		}
	}
}

// panickingWriter panics on its second write.
type panickingWriter struct{ writes int }

func (w *panickingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes == 2 {
		panic("writer broke")
	}
	return len(p), nil
}

func TestWriteJSONWriterPanics(t *testing.T) {
	res := resultWithChanges(8 * 4096)
	before := runtime.NumGoroutine()
	for range 20 {
		func() {
			defer func() {
				if r := recover(); r != "writer broke" {
					t.Fatalf("recovered %v, want the writer's panic", r)
				}
			}()
			res.WriteJSON(&panickingWriter{})
		}()
	}
	// WriteJSON waits for its encoder before it returns or panics.
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after 20 panicking writes, want %d: an encoder leaked", n, before)
	}
}
