package notify_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/clariwatch/clariwatch/notify"
)

func TestWriterText(t *testing.T) {
	var buf bytes.Buffer
	w := notify.NewWriter(&buf, notify.FormatText)
	m := &notify.Message{Title: "Call completed", Text: "Jane & Raj, 32 min"}
	if err := w.Notify(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if want := "Call completed\nJane & Raj, 32 min\n\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestWriterJSONConcurrent(t *testing.T) {
	var buf bytes.Buffer
	w := notify.NewWriter(&buf, notify.FormatJSON)
	m := notify.RenderReport(sampleReport(), &notify.RenderOptions{Key: "k"})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := w.Notify(t.Context(), m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var got struct {
			Key    string `json:"key"`
			Report struct {
				Periods []string         `json:"periods"`
				Changes []map[string]any `json:"changes"`
				Summary map[string]int   `json:"summary"`
			} `json:"report"`
		}
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if got.Key != "k" || got.Report.Changes[0]["fieldName"] != "Commit" || got.Report.Summary["belowThreshold"] != 6 {
			t.Errorf("line %d = %s, want the report with diff field names", n, sc.Bytes())
		}
		n++
	}
	if n != 20 {
		t.Errorf("got %d lines, want 20", n)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterErrors(t *testing.T) {
	w := notify.NewWriter(failingWriter{}, notify.FormatText)
	if err := w.Notify(t.Context(), &notify.Message{Text: "x"}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the write error", err)
	}
	if err := w.Notify(t.Context(), &notify.Message{}); err == nil {
		t.Error("empty message written, want an error")
	}
	if err := notify.NewWriter(&bytes.Buffer{}, notify.Format(9)).Notify(t.Context(), &notify.Message{Text: "x"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestMulti(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	ok := notify.Func(func(ctx context.Context, m *notify.Message) error {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, m.Text)
		return nil
	})
	boom := errors.New("boom")
	failing := notify.Func(func(context.Context, *notify.Message) error { return boom })
	err := notify.Multi(notify.Named("pager", failing), ok, nil, failing).Notify(t.Context(), &notify.Message{Text: "x"})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if !strings.Contains(err.Error(), "pager: boom") || !strings.Contains(err.Error(), "notifier 3 (notify.Func): boom") {
		t.Errorf("err = %q, want each failure named", err)
	}
	if len(sent) != 1 {
		t.Errorf("the working notifier sent %d messages, want 1", len(sent))
	}
	if err := notify.Multi().Notify(t.Context(), &notify.Message{Text: "x"}); err != nil {
		t.Errorf("empty Multi: %v", err)
	}
}

func TestMultiConcurrent(t *testing.T) {
	// Each notifier waits until both have started, which only a
	// concurrent fan-out lets happen.
	var started sync.WaitGroup
	started.Add(2)
	barrier := notify.Func(func(ctx context.Context, m *notify.Message) error {
		started.Done()
		started.Wait()
		return nil
	})
	if err := notify.Multi(barrier, barrier).Notify(t.Context(), &notify.Message{Text: "x"}); err != nil {
		t.Fatal(err)
	}
}
