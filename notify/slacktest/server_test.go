package slacktest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/notify/slacktest"
)

func post(t *testing.T, url, body string) (status int, answer, retryAfter string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Retry-After")
}

func section(text string) string {
	b, _ := json.Marshal(text)
	return `{"type":"section","text":{"type":"mrkdwn","text":` + string(b) + `}}`
}

func blocks(n int, block string) string {
	return `{"text":"t","blocks":[` + strings.TrimSuffix(strings.Repeat(block+",", n), ",") + `]}`
}

func TestValidate(t *testing.T) {
	header := func(text string) string {
		b, _ := json.Marshal(text)
		return `{"type":"header","text":{"type":"plain_text","text":` + string(b) + `}}`
	}
	field := func(text string) string {
		b, _ := json.Marshal(text)
		return `{"type":"mrkdwn","text":` + string(b) + `}`
	}
	tests := []struct {
		name string
		body string
		code string // empty when the payload is valid
	}{
		{"text only", `{"text":"hello"}`, ""},
		{"blocks without text", `{"blocks":[` + section("x") + `]}`, ""},
		{"50 blocks", blocks(50, section("x")), ""},
		{"51 blocks", blocks(51, section("x")), "invalid_blocks"},
		{"no text and no blocks", `{}`, "no_text"},
		{"blank text", `{"text":" \n "}`, "no_text"},
		{"null", `null`, "no_text"},
		{"not JSON", `text=hello`, "invalid_payload"},
		{"JSON array", `[]`, "invalid_payload"},
		{"truncated JSON", `{"text":"hel`, "invalid_payload"},
		{"section text 3000", blocks(1, section(strings.Repeat("a", 3000))), ""},
		{"section text 3001", blocks(1, section(strings.Repeat("a", 3001))), "invalid_blocks"},
		{"section text 1500 surrogate pairs", blocks(1, section(strings.Repeat("😀", 1500))), ""},
		{"section text 1501 surrogate pairs", blocks(1, section(strings.Repeat("😀", 1501))), "invalid_blocks"},
		{"empty section text", blocks(1, section("")), "invalid_blocks"},
		{"section without text or fields", blocks(1, `{"type":"section"}`), "invalid_blocks"},
		{"header 150", blocks(1, header(strings.Repeat("h", 150))), ""},
		{"header 151", blocks(1, header(strings.Repeat("h", 151))), "invalid_blocks"},
		{"header in mrkdwn", blocks(1, `{"type":"header","text":{"type":"mrkdwn","text":"h"}}`), "invalid_blocks"},
		{"10 fields", blocks(1, `{"type":"section","fields":[`+strings.TrimSuffix(strings.Repeat(field("f")+",", 10), ",")+`]}`), ""},
		{"11 fields", blocks(1, `{"type":"section","fields":[`+strings.TrimSuffix(strings.Repeat(field("f")+",", 11), ",")+`]}`), "invalid_blocks"},
		{"field 2001", blocks(1, `{"type":"section","fields":[`+field(strings.Repeat("f", 2001))+`]}`), "invalid_blocks"},
		{"unknown block type", blocks(1, `{"type":"image"}`), "invalid_blocks"},
		{"divider", blocks(1, `{"type":"divider"}`), ""},
		{"block_id 256", blocks(1, `{"type":"divider","block_id":"`+strings.Repeat("b", 256)+`"}`), "invalid_blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := slacktest.Validate([]byte(tt.body))
			if tt.code == "" {
				if err != nil || p == nil {
					t.Fatalf("Validate = %v, %v; want the payload", p, err)
				}
				return
			}
			var ve *slacktest.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate err = %v, want a *ValidationError", err)
			}
			if ve.Code != tt.code {
				t.Errorf("code = %q, want %q (%v)", ve.Code, tt.code, err)
			}
		})
	}
}

func TestValidateStrict(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"escaped", `{"text":"a &amp; b &lt;c&gt;","blocks":[` + section("&amp;") + `]}`, true},
		{"blocks without text", `{"blocks":[` + section("x") + `]}`, false},
		{"raw ampersand in text", `{"text":"a & b"}`, false},
		{"raw angle bracket in block", `{"text":"t","blocks":[` + section("<!channel>") + `]}`, false},
		{"other entity", `{"text":"&quot;"}`, false},
		{"text 4000", `{"text":"` + strings.Repeat("a", 4000) + `"}`, true},
		{"text 4001", `{"text":"` + strings.Repeat("a", 4001) + `"}`, false},
		{"plain_text header not checked for escapes", blocks(1, `{"type":"header","text":{"type":"plain_text","text":"a & b"}}`), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := slacktest.ValidateStrict([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Errorf("ValidateStrict err = %v, want ok = %v", err, tt.ok)
			}
		})
	}
}

func TestServerScriptedAnswers(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	srv.Script(slacktest.RateLimited(30), slacktest.MessageLimitExceeded, slacktest.RollupError,
		slacktest.NoService, slacktest.ChannelIsArchived)
	type result struct {
		Status     int
		Answer     string
		RetryAfter string
	}
	want := []result{
		{429, "rate_limited", "30"},
		{429, "message_limit_exceeded", ""},
		{500, "rollup_error", ""},
		{404, "no_service", ""},
		{410, "channel_is_archived", ""},
		{200, "ok", ""}, // the script is used up
		{400, "no_text", ""},
	}
	var got []result
	for i := range want {
		body := `{"text":"hello"}`
		if i == len(want)-1 {
			body = `{}`
		}
		status, answer, retryAfter := post(t, srv.WebhookURL(), body)
		got = append(got, result{status, answer, retryAfter})
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("answers (-want +got):\n%s", d)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("recorded %d messages, want only the one answered ok", n)
	}
	reqs := srv.Requests()
	if len(reqs) != len(want) {
		t.Fatalf("recorded %d requests, want %d", len(reqs), len(want))
	}
	for i, r := range reqs {
		if r.Status != want[i].Status || r.Answer != want[i].Answer {
			t.Errorf("request %d recorded as %d %q, want %d %q", i, r.Status, r.Answer, want[i].Status, want[i].Answer)
		}
	}
}

func TestServerRejectsOtherPathsAndMethods(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	srv.Script(slacktest.RollupError)
	if status, answer, _ := post(t, srv.URL+"/services/T0/B0/wrong", `{"text":"x"}`); status != 404 || answer != "no_service" {
		t.Errorf("wrong path: %d %q, want 404 no_service", status, answer)
	}
	resp, err := http.Get(srv.WebhookURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}
	// Neither request used the scripted response.
	if status, answer, _ := post(t, srv.WebhookURL(), `{"text":"x"}`); status != 500 || answer != "rollup_error" {
		t.Errorf("first webhook POST: %d %q, want the scripted 500 rollup_error", status, answer)
	}
}

func TestServerStrict(t *testing.T) {
	srv := slacktest.NewServer(&slacktest.Options{Strict: true})
	defer srv.Close()
	if status, answer, _ := post(t, srv.WebhookURL(), `{"text":"a & b"}`); status != 400 || answer != "invalid_payload" {
		t.Errorf("unescaped text: %d %q, want 400 invalid_payload", status, answer)
	}
	if status, _, _ := post(t, srv.WebhookURL(), blocks(51, section("x"))); status != 400 {
		t.Errorf("51 blocks: status %d, want 400", status)
	}
	if status, _, _ := post(t, srv.WebhookURL(), `{"text":"a &amp; b"}`); status != 200 {
		t.Errorf("escaped text: status %d, want 200", status)
	}
}

func TestServerRecordsTimeAndHeaders(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := slacktest.NewServer(&slacktest.Options{Now: func() time.Time { return at }})
	defer srv.Close()
	post(t, srv.WebhookURL(), `{"text":"hello","blocks":[`+section("body")+`]}`)
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("recorded %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if !r.Time.Equal(at) || r.Path != slacktest.WebhookPath || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("recorded %v %q %q, want the injected time, the webhook path and the content type", r.Time, r.Path, r.Header.Get("Content-Type"))
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].Text != "hello" || len(msgs[0].Blocks) != 1 || msgs[0].Blocks[0].Text.Text != "body" {
		t.Errorf("messages = %+v, want the decoded payload", msgs)
	}
}

func TestServerConcurrent(t *testing.T) {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	const n = 20
	for range n / 2 {
		srv.Script(slacktest.RollupError)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"text":"m%d"}`, i)
			resp, err := http.Post(srv.WebhookURL(), "application/json", bytes.NewBufferString(body))
			if err == nil {
				resp.Body.Close()
			}
		})
		wg.Go(func() { _ = srv.Requests(); _ = srv.Messages() })
	}
	wg.Wait()
	if got := len(srv.Requests()); got != n {
		t.Errorf("recorded %d requests, want %d", got, n)
	}
	if got := len(srv.Messages()); got != n/2 {
		t.Errorf("recorded %d messages, want %d (the rest got the scripted 500)", got, n/2)
	}
}

func ExampleServer() {
	srv := slacktest.NewServer(nil)
	defer srv.Close()
	srv.Script(slacktest.NoService)
	for range 2 {
		resp, err := http.Post(srv.WebhookURL(), "application/json", strings.NewReader(`{"text":"hello"}`))
		if err != nil {
			fmt.Println(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(b))
	}
	fmt.Println(len(srv.Messages()), "message recorded")
	// Output:
	// 404 no_service
	// 200 ok
	// 1 message recorded
}
