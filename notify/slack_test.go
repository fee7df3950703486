package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/notify/slacktest"
)

func newSlack(t *testing.T, url string, clock notify.Clock, opts *notify.SlackOptions) *notify.Slack {
	t.Helper()
	if opts == nil {
		opts = &notify.SlackOptions{}
	}
	opts.Clock = clock
	s, err := notify.NewSlack(url, opts)
	if err != nil {
		t.Fatalf("NewSlack: %v", err)
	}
	return s
}

func TestEncodeSlackEscaping(t *testing.T) {
	m := &notify.Message{
		Title: "Deals <b> & more",
		Text:  "<!channel> & <https://evil.example|click>",
		Sections: []notify.Section{{
			Heading: "A & B", Text: "x < y > z",
			Fields: []notify.Field{{Name: "Rep <1>", Value: "Tom & Jerry"}},
			Lines:  []string{"&amp; stays literal"},
		}},
	}
	payloads, err := notify.EncodeSlack(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads) != 1 {
		t.Fatalf("got %d payloads, want 1", len(payloads))
	}
	p, err := slacktest.ValidateStrict(payloads[0])
	if err != nil {
		t.Fatalf("ValidateStrict: %v", err)
	}
	if want := "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"; p.Text != want {
		t.Errorf("text = %q, want %q", p.Text, want)
	}
	if got, want := p.Blocks[0].Text.Text, "Deals <b> & more"; got != want {
		t.Errorf("header plain_text = %q, want the title unchanged %q", got, want)
	}
	if got, want := p.Blocks[1].Text.Text, "*A &amp; B*\nx &lt; y &gt; z"; got != want {
		t.Errorf("section text = %q, want %q", got, want)
	}
	if got, want := p.Blocks[2].Fields[0].Text, "*Rep &lt;1&gt;*\nTom &amp; Jerry"; got != want {
		t.Errorf("field = %q, want %q", got, want)
	}
	if got, want := p.Blocks[3].Text.Text, "&amp;amp; stays literal"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

func TestEncodeSlackSplit(t *testing.T) {
	long := strings.Repeat("a&b ", 2000) // 8000 characters in one line
	m := &notify.Message{Title: strings.Repeat("T", 200), Text: "summary"}
	for i := range 120 {
		m.Sections = append(m.Sections, notify.Section{Lines: []string{fmt.Sprintf("line %03d", i)}})
	}
	m.Sections = append(m.Sections, notify.Section{Lines: []string{long}})
	var fields []notify.Field
	for i := range 23 {
		fields = append(fields, notify.Field{Name: fmt.Sprint("f", i), Value: "v"})
	}
	m.Sections = append(m.Sections, notify.Section{Fields: fields})
	payloads, err := notify.EncodeSlack(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads) != 3 {
		t.Fatalf("got %d payloads, want 3", len(payloads))
	}
	var all strings.Builder
	nFields := 0
	for i, b := range payloads {
		p, err := slacktest.ValidateStrict(b)
		if err != nil {
			t.Fatalf("payload %d: %v", i, err)
		}
		suffix := fmt.Sprintf("(%d/3)", i+1)
		if !strings.HasSuffix(p.Text, suffix) {
			t.Errorf("payload %d text = %q, want suffix %q", i, p.Text, suffix)
		}
		if first := p.Blocks[0].Text.Text; !strings.HasPrefix(first, "*"+strings.Repeat("T", 200)+"*") {
			t.Errorf("payload %d starts with %.40q, want the whole title in bold", i, first)
		}
		for _, blk := range p.Blocks[1:] {
			nFields += len(blk.Fields)
			if blk.Text != nil {
				all.WriteString(blk.Text.Text)
			}
		}
	}
	text := all.String()
	for i := range 120 {
		line := fmt.Sprintf("line %03d", i)
		if !strings.Contains(text, line) {
			t.Fatalf("%q missing from the payloads", line)
		}
	}
	if got, want := strings.Count(text, "a&amp;b"), 2000; got != want {
		t.Errorf("long line split keeps %d of %d escaped pieces", got, want)
	}
	if nFields != 23 {
		t.Errorf("got %d fields, want 23", nFields)
	}
}

func TestEncodeSlackEmpty(t *testing.T) {
	if _, err := notify.EncodeSlack(&notify.Message{Key: "k"}); err == nil {
		t.Error("EncodeSlack of an empty message succeeded, want an error")
	}
}

func TestSlackSendsSplitMessageInOrder(t *testing.T) {
	clock := newFakeClock(true)
	srv := slacktest.NewServer(&slacktest.Options{Now: clock.Now, Strict: true})
	defer srv.Close()
	s := newSlack(t, srv.WebhookURL(), clock, nil)
	m := &notify.Message{Title: "Report", Text: "summary"}
	for i := range 150 {
		m.Sections = append(m.Sections, notify.Section{Text: fmt.Sprint("section ", i)})
	}
	if err := s.Notify(t.Context(), m); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	msgs := srv.Messages()
	if len(msgs) != 4 {
		t.Fatalf("got %d messages, want 4", len(msgs))
	}
	for i, p := range msgs {
		if want := fmt.Sprintf("Report (%d/4)", i+1); p.Blocks[0].Text.Text != want {
			t.Errorf("message %d header = %q, want %q", i, p.Blocks[0].Text.Text, want)
		}
	}
	reqs := srv.Requests()
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].Time.Sub(reqs[i-1].Time); gap != time.Second {
			t.Errorf("gap before message %d = %v, want 1s", i, gap)
		}
	}
}

func TestSlackRateLimitSharedAcrossSenders(t *testing.T) {
	clock := newFakeClock(false)
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range 5 {
		s := newSlack(t, srv.WebhookURL(), clock, nil)
		wg.Go(func() { errs[i] = s.Notify(t.Context(), &notify.Message{Text: fmt.Sprint("m", i)}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("sender %d: %v", i, err)
		}
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second}
	got := clock.Sleeps()
	slicesSort(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("waits of five senders to one URL (-want +got):\n%s", d)
	}
	if n := len(srv.Messages()); n != 5 {
		t.Errorf("got %d messages, want 5", n)
	}
}

func slicesSort(d []time.Duration) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j] < d[j-1]; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

func TestSlackRetryAfterHoldsOtherSenders(t *testing.T) {
	clock := newFakeClock(true)
	srv := slacktest.NewServer(&slacktest.Options{Now: clock.Now})
	defer srv.Close()
	srv.Script(slacktest.RateLimited(7))
	first := newSlack(t, srv.WebhookURL(), clock, &notify.SlackOptions{RetryOptions: notify.RetryOptions{RetryMax: -1}})
	err := first.Notify(t.Context(), &notify.Message{Text: "a"})
	var se *notify.SlackError
	if !errors.As(err, &se) || se.StatusCode != 429 || !se.Temporary() || se.RetryAfter != 7*time.Second {
		t.Fatalf("err = %#v, want a temporary 429 SlackError with RetryAfter 7s", err)
	}
	second := newSlack(t, srv.WebhookURL(), clock, nil)
	if err := second.Notify(t.Context(), &notify.Message{Text: "b"}); err != nil {
		t.Fatalf("second sender: %v", err)
	}
	reqs := srv.Requests()
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap != 7*time.Second {
		t.Errorf("second sender waited %v after the 429, want 7s", gap)
	}
}

func TestSlackRetries(t *testing.T) {
	tests := []struct {
		name   string
		script []slacktest.Answer
		waits  []time.Duration
	}{
		{"429 with Retry-After", []slacktest.Answer{slacktest.RateLimited(7)}, []time.Duration{7 * time.Second}},
		{"429 Retry-After capped", []slacktest.Answer{slacktest.RateLimited(3600)}, []time.Duration{time.Minute}},
		{"429 without Retry-After backs off", []slacktest.Answer{slacktest.MessageLimitExceeded, slacktest.MessageLimitExceeded},
			[]time.Duration{time.Second, 2 * time.Second}},
		{"500 rollup_error", []slacktest.Answer{slacktest.RollupError, slacktest.RollupError, slacktest.RollupError},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(true)
			srv := slacktest.NewServer(&slacktest.Options{Now: clock.Now})
			defer srv.Close()
			srv.Script(tt.script...)
			s := newSlack(t, srv.WebhookURL(), clock, nil)
			if err := s.Notify(t.Context(), &notify.Message{Text: "hello"}); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if d := cmp.Diff(tt.waits, clock.Sleeps()); d != "" {
				t.Errorf("waits (-want +got):\n%s", d)
			}
			reqs := srv.Requests()
			if len(reqs) != len(tt.script)+1 {
				t.Errorf("got %d requests, want %d", len(reqs), len(tt.script)+1)
			}
			for i, w := range tt.waits {
				if gap := reqs[i+1].Time.Sub(reqs[i].Time); gap != w {
					t.Errorf("gap before attempt %d = %v, want %v", i+2, gap, w)
				}
			}
		})
	}
}

func TestSlackErrors(t *testing.T) {
	tests := []struct {
		name      string
		script    []slacktest.Answer
		status    int
		code      string
		temporary bool
		attempts  int
	}{
		{"no_service", []slacktest.Answer{slacktest.NoService}, 404, "no_service", false, 1},
		{"channel_is_archived", []slacktest.Answer{slacktest.ChannelIsArchived}, 410, "channel_is_archived", false, 1},
		{"action_prohibited", []slacktest.Answer{slacktest.ActionProhibited}, 403, "action_prohibited", false, 1},
		{"invalid_token", []slacktest.Answer{slacktest.InvalidToken}, 403, "invalid_token", false, 1},
		{"invalid_payload", []slacktest.Answer{slacktest.Error(400, "invalid_payload")}, 400, "invalid_payload", false, 1},
		{"rollup_error exhausted", []slacktest.Answer{slacktest.RollupError, slacktest.RollupError, slacktest.RollupError},
			500, "rollup_error", true, 3},
		{"429 exhausted", []slacktest.Answer{slacktest.MessageLimitExceeded, slacktest.MessageLimitExceeded, slacktest.MessageLimitExceeded},
			429, "message_limit_exceeded", true, 3},
		{"501 not retried", []slacktest.Answer{slacktest.Error(501, "not_implemented")}, 501, "not_implemented", true, 1},
		{"body not a code", []slacktest.Answer{{Status: 400, Body: "Bad Request: <html>"}}, 400, "", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(true)
			srv := slacktest.NewServer(nil)
			defer srv.Close()
			srv.Script(tt.script...)
			s := newSlack(t, srv.WebhookURL(), clock, &notify.SlackOptions{RetryOptions: notify.RetryOptions{RetryMax: 2}})
			err := s.Notify(t.Context(), &notify.Message{Text: "hello"})
			var se *notify.SlackError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SlackError", err)
			}
			want := notify.SlackError{StatusCode: tt.status, Code: tt.code, Attempts: tt.attempts, Part: 1, Parts: 1}
			got := *se
			got.Body, got.RetryAfter = "", 0
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("SlackError (-want +got):\n%s", d)
			}
			if se.Temporary() != tt.temporary {
				t.Errorf("Temporary() = %v, want %v", se.Temporary(), tt.temporary)
			}
		})
	}
}

func TestSlackValidationRejections(t *testing.T) {
	tests := []struct {
		name, body, code string
	}{
		{"invalid JSON", `{"text":`, "invalid_payload"},
		{"array", `[1]`, "invalid_payload"},
		{"no text", `{"text":"  "}`, "no_text"},
		{"too many blocks", `{"text":"t","blocks":[` + strings.TrimSuffix(strings.Repeat(`{"type":"divider"},`, 51), ",") + `]}`, "invalid_blocks"},
		{"long header", `{"text":"t","blocks":[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]}`, "invalid_blocks"},
		{"long section", `{"text":"t","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"` + strings.Repeat("s", 3001) + `"}}]}`, "invalid_blocks"},
		{"eleven fields", `{"text":"t","blocks":[{"type":"section","fields":[` + strings.TrimSuffix(strings.Repeat(`{"type":"mrkdwn","text":"f"},`, 11), ",") + `]}]}`, "invalid_blocks"},
		{"unknown block", `{"text":"t","blocks":[{"type":"video"}]}`, "invalid_blocks"},
	}
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.WebhookURL(), "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			reqs := srv.Requests()
			last := reqs[len(reqs)-1]
			if resp.StatusCode != 400 || last.Answer != tt.code {
				t.Errorf("answer = %d %s, want 400 %s", resp.StatusCode, last.Answer, tt.code)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d invalid messages", n)
	}
}

func TestSlackConnectionErrorRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	clock := newFakeClock(true)
	s := newSlack(t, "http://"+addr+slacktest.WebhookPath, clock, &notify.SlackOptions{RetryOptions: notify.RetryOptions{RetryMax: 2}})
	err = s.Notify(t.Context(), &notify.Message{Text: "x"})
	if err == nil {
		t.Fatal("Notify to a closed port succeeded")
	}
	if !strings.Contains(err.Error(), "3 attempt(s)") {
		t.Errorf("err = %v, want 3 attempts", err)
	}
	if d := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, clock.Sleeps()); d != "" {
		t.Errorf("waits (-want +got):\n%s", d)
	}
}

func TestSlackContextCanceled(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	s := newSlack(t, srv.WebhookURL(), newFakeClock(true), nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Notify(ctx, &notify.Message{Text: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestNewSlackInvalidURL(t *testing.T) {
	for _, u := range []string{"", "hooks.slack.com/services/T/B/SECRET", "ftp://h/services/T/B/SECRET", "http://%zz/SECRET"} {
		_, err := notify.NewSlack(u, nil)
		if err == nil {
			t.Errorf("NewSlack(%q) succeeded, want an error", u)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("NewSlack(%q) error %q shows the URL", u, err)
		}
	}
}
