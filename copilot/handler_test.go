package copilot_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/google/go-cmp/cmp"
)

// testSecret is the signing secret of the handler tests; tests check that
// it never reaches a response or a log line.
const testSecret = "whsec_c2VjcmV0LWhhbmRsZXItdGVzdC1rZXktMDEyMzQ1"

const testNow = 1_767_225_600 // 2026-01-01T00:00:00Z

// syncBuffer is a bytes.Buffer safe for concurrent writes by log handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// recorder is a copilot.Handler that records the events it receives and
// returns the errors queued in fail, one per call.
type recorder struct {
	mu     sync.Mutex
	events []copilot.Event
	bodies [][]byte
	fail   []error
}

func (r *recorder) HandleEvent(ctx context.Context, e copilot.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	r.bodies = append(r.bodies, bytes.Clone(copilot.RawBody(ctx)))
	if len(r.fail) > 0 {
		err := r.fail[0]
		r.fail = r.fail[1:]
		return err
	}
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// fixture is a webhook handler served on loopback with a fake clock.
type fixture struct {
	url    string
	clock  *fakeClock
	signer *copilot.Signer
	rec    *recorder
	logs   *syncBuffer
	client *http.Client
}

func setup(t *testing.T, h copilot.Handler, cache copilot.ReplayCache) *fixture {
	t.Helper()
	f := &fixture{clock: newFakeClock(testNow), rec: &recorder{}, logs: &syncBuffer{}}
	if h == nil {
		h = f.rec
	}
	v, err := copilot.NewVerifier([]string{testSecret}, &copilot.VerifierOptions{Now: f.clock.Now, MaxBodyBytes: 4096})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	f.signer, err = copilot.NewSigner(testSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(copilot.NewHandler(v, h, &copilot.HandlerOptions{Logger: logger, ReplayCache: cache}))
	t.Cleanup(srv.Close)
	f.url, f.client = srv.URL, srv.Client()
	return f
}

func eventBody(eventType, callID string) []byte {
	return fmt.Appendf(nil, `{"type":%q,"timestamp":"2026-01-01T00:00:00Z",`+
		`"data":{"call":{"id":%q,"status":"PROCESSED","title":"Renewal call"}}}`, eventType, callID)
}

// post sends body with headers h and returns the status and the body.
func (f *fixture) post(t *testing.T, method string, h http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	if resp.StatusCode == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("Allow = %q on a 405, want POST", resp.Header.Get("Allow"))
	}
	return resp.StatusCode, string(b)
}

// signed returns headers that sign body as delivery id at the fake time.
func (f *fixture) signed(id string, body []byte) http.Header {
	return f.signer.Sign(id, f.clock.Now(), body)
}

func TestHandlerStatusCodes(t *testing.T) {
	f := setup(t, nil, nil)
	good := eventBody(copilot.EventCallCompleted, "c1")
	forged, err := copilot.NewSigner("whsec_" + "b3RoZXIta2V5")
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	tests := []struct {
		name   string
		method string
		header http.Header
		body   []byte
		want   int
	}{
		{"get", http.MethodGet, f.signed("m0", good), good, http.StatusMethodNotAllowed},
		{"put", http.MethodPut, f.signed("m0", good), good, http.StatusMethodNotAllowed},
		{"no headers", http.MethodPost, nil, good, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, forged.Sign("m1", f.clock.Now(), good), good, http.StatusUnauthorized},
		{"body changed", http.MethodPost, f.signed("m2", good), eventBody(copilot.EventCallCompleted, "c2"), http.StatusUnauthorized},
		{"too old", http.MethodPost, f.signer.Sign("m3", f.clock.Now().Add(-301*time.Second), good), good, http.StatusUnauthorized},
		{"too new", http.MethodPost, f.signer.Sign("m4", f.clock.Now().Add(301*time.Second), good), good, http.StatusUnauthorized},
		{"too large", http.MethodPost, f.signed("m5", bytes.Repeat([]byte("x"), 4097)), bytes.Repeat([]byte("x"), 4097), http.StatusRequestEntityTooLarge},
		{"malformed json", http.MethodPost, f.signed("m6", []byte(`{"type":`)), []byte(`{"type":`), http.StatusBadRequest},
		{"no call", http.MethodPost, f.signed("m7", []byte(`{"type":"call.completed","data":{}}`)), []byte(`{"type":"call.completed","data":{}}`), http.StatusBadRequest},
		{"unknown type", http.MethodPost, f.signed("m8", eventBody("call.deleted", "c3")), eventBody("call.deleted", "c3"), http.StatusNoContent},
		{"completed", http.MethodPost, f.signed("m9", good), good, http.StatusNoContent},
		{"replay", http.MethodPost, f.signed("m9", good), good, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := f.post(t, tt.method, tt.header, tt.body)
			if got != tt.want {
				t.Fatalf("status = %d, want %d; body %q", got, tt.want, body)
			}
			if got >= 400 && body != http.StatusText(got)+"\n" {
				t.Errorf("body = %q, want only the status text", body)
			}
		})
	}
	if got := f.rec.count(); got != 1 {
		t.Errorf("handler called %d times, want once", got)
	}
	if logs := f.logs.String(); strings.Contains(logs, strings.TrimPrefix(testSecret, "whsec_")) {
		t.Errorf("logs contain the secret:\n%s", logs)
	}
}

func TestHandlerTooLargeWithoutLength(t *testing.T) {
	f := setup(t, nil, nil)
	body := bytes.Repeat([]byte("x"), 5000)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url, io.MultiReader(bytes.NewReader(body)))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	req.Header = f.signed("m1", body)
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", resp.StatusCode)
	}
}

func TestHandlerTypedEvents(t *testing.T) {
	f := setup(t, nil, nil)
	completed := eventBody(copilot.EventCallCompleted, "c1")
	analyzed := []byte(`{"type":"call.analyzed","data":{"call":{"id":"c1","status":"POST_PROCESSING_DONE",` +
		`"deal_value":12500.5,"crm_info":{"deal_id":"d9"}}}}`)
	for i, body := range [][]byte{completed, analyzed} {
		if got, _ := f.post(t, http.MethodPost, f.signed(fmt.Sprint("m", i), body), body); got != http.StatusNoContent {
			t.Fatalf("delivery %d: status = %d, want 204", i, got)
		}
	}
	want := []copilot.Event{
		&copilot.CallCompleted{
			DeliveryID: "m0",
			Timestamp:  time.Unix(testNow, 0).UTC(),
			Call:       copilot.Call{ID: "c1", Status: "PROCESSED", Title: "Renewal call"},
		},
		&copilot.CallAnalyzed{
			DeliveryID: "m1",
			Timestamp:  time.Unix(testNow, 0),
			Call: copilot.Call{ID: "c1", Status: "POST_PROCESSING_DONE", DealValue: "12500.5",
				CRMInfo: &copilot.CRMInfo{DealID: "d9"}},
		},
	}
	if diff := cmp.Diff(want, f.rec.events); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]byte{completed, analyzed}, f.rec.bodies); diff != "" {
		t.Errorf("RawBody mismatch (-want +got):\n%s", diff)
	}
}

func TestHandlerErrorRetried(t *testing.T) {
	f := setup(t, nil, nil)
	f.rec.fail = []error{errors.New("database unavailable")}
	body := eventBody(copilot.EventCallCompleted, "c1")
	h := f.signed("m1", body)

	steps := []struct {
		name       string
		wantStatus int
		wantCalls  int
	}{
		{"handler fails", http.StatusInternalServerError, 1},
		{"retry handled", http.StatusNoContent, 2},
		{"replay acknowledged", http.StatusNoContent, 2},
	}
	for _, s := range steps {
		if got, _ := f.post(t, http.MethodPost, h, body); got != s.wantStatus {
			t.Fatalf("%s: status = %d, want %d", s.name, got, s.wantStatus)
		}
		if got := f.rec.count(); got != s.wantCalls {
			t.Fatalf("%s: handler calls = %d, want %d", s.name, got, s.wantCalls)
		}
	}
	if logs := f.logs.String(); !strings.Contains(logs, "database unavailable") {
		t.Errorf("logs lack the handler error:\n%s", logs)
	}
}

func TestHandlerPanicReleases(t *testing.T) {
	clock := newFakeClock(testNow)
	v, err := copilot.NewVerifier([]string{testSecret}, &copilot.VerifierOptions{Now: clock.Now})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	signer, err := copilot.NewSigner(testSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}

	calls := 0
	h := copilot.NewHandler(v, copilot.HandlerFunc(func(context.Context, copilot.Event) error {
		calls++
		if calls == 1 {
			panic("handler bug")
		}
		return nil
	}), nil)

	body := eventBody(copilot.EventCallCompleted, "c1")
	serve := func() (code int, panicked bool) {
		defer func() { panicked = recover() != nil }()
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(body))
		req.Header = signer.Sign("m1", clock.Now(), body)
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		return rr.Code, false
	}

	if _, panicked := serve(); !panicked {
		t.Fatal("first delivery did not re-raise the handler's panic")
	}
	if code, _ := serve(); code != http.StatusNoContent {
		t.Errorf("retry after a panic: status = %d, want 204", code)
	}
	if calls != 2 {
		t.Errorf("handler calls = %d, want 2", calls)
	}
}

func TestHandlerConcurrentCopy(t *testing.T) {
	entered := make(chan struct{})
	proceed := make(chan struct{})
	f := setup(t, copilot.HandlerFunc(func(context.Context, copilot.Event) error {
		close(entered)
		<-proceed
		return nil
	}), nil)
	body := eventBody(copilot.EventCallCompleted, "c1")
	h := f.signed("m1", body)

	first := make(chan int)
	go func() {
		code, _ := f.post(t, http.MethodPost, h, body)
		first <- code
	}()
	<-entered
	if got, _ := f.post(t, http.MethodPost, h, body); got != http.StatusConflict {
		t.Errorf("copy during handling: status = %d, want 409", got)
	}
	close(proceed)
	if got := <-first; got != http.StatusNoContent {
		t.Errorf("first copy: status = %d, want 204", got)
	}
	if got, _ := f.post(t, http.MethodPost, h, body); got != http.StatusNoContent {
		t.Errorf("copy after handling: status = %d, want 204", got)
	}
}

func TestHandlerReplayCacheFull(t *testing.T) {
	clock := newFakeClock(testNow)
	f := setup(t, nil, copilot.NewMemoryReplayCache(1, clock.Now))
	for i, want := range []int{http.StatusNoContent, http.StatusServiceUnavailable} {
		body := eventBody(copilot.EventCallCompleted, fmt.Sprint("c", i))
		if got, _ := f.post(t, http.MethodPost, f.signed(fmt.Sprint("m", i), body), body); got != want {
			t.Errorf("delivery %d: status = %d, want %d", i, got, want)
		}
	}
	if got := f.rec.count(); got != 1 {
		t.Errorf("handler calls = %d, want 1", got)
	}
}

func TestHandlerLogsRejections(t *testing.T) {
	f := setup(t, nil, nil)
	body := eventBody(copilot.EventCallCompleted, "c1")
	h := f.signed("m1", body)
	h.Set("webhook-signature", "v1,"+strings.Repeat("A", 43)+"=")
	for range 5 {
		if got, _ := f.post(t, http.MethodPost, h, body); got != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", got)
		}
	}
	f.clock.Advance(time.Second)
	if got, _ := f.post(t, http.MethodPost, nil, body); got != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", got)
	}

	var lines []string
	for line := range strings.Lines(f.logs.String()) {
		if strings.Contains(line, `"level":"WARN"`) {
			lines = append(lines, line)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("warn lines = %d, want 2 (one per second):\n%s", len(lines), f.logs.String())
	}
	checks := []struct {
		line int
		want string
	}{
		{0, `"error":"copilot: no signature matches the delivery`},
		{0, `"suppressed":0`},
		{1, `"error":"copilot: delivery has no signature`},
		{1, `"suppressed":4`},
		{1, `"rejected_total":6`},
	}
	for _, c := range checks {
		if !strings.Contains(lines[c.line], c.want) {
			t.Errorf("warn line %d lacks %s:\n%s", c.line, c.want, lines[c.line])
		}
	}
}

func TestRawBodyOutsideHandler(t *testing.T) {
	if got := copilot.RawBody(t.Context()); got != nil {
		t.Errorf("RawBody = %q, want nil", got)
	}
}

func TestNewHandlerNilPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHandler(nil, nil, nil) did not panic")
		}
	}()
	copilot.NewHandler(nil, nil, nil)
}

func TestHandlerGitHubReplayWindow(t *testing.T) {
	clock := newFakeClock(testNow)
	v, err := copilot.NewVerifier([]string{ghSecret}, &copilot.VerifierOptions{Scheme: copilot.GitHub{}, Now: clock.Now})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	rec := &recorder{}
	h := copilot.NewHandler(v, rec, nil)
	body := eventBody(copilot.EventCallAnalyzed, "c1")
	mac := hmac.New(sha256.New, []byte(ghSecret))
	mac.Write(body)
	header := http.Header{
		"X-Hub-Signature-256": {"sha256=" + hex.EncodeToString(mac.Sum(nil))},
		"X-Github-Delivery":   {"72d3162e-cc78-11e3-81ab-4c9367dc0958"},
	}

	steps := []struct {
		name      string
		advance   time.Duration
		wantCalls int
	}{
		{"first delivery", 0, 1},
		{"replay inside the tolerance", 5 * time.Minute, 1},
		{"replay after the tolerance", 2 * time.Second, 2},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(body))
		req.Header = header.Clone()
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		if rr.Code != http.StatusNoContent {
			t.Fatalf("%s: status = %d, want 204", s.name, rr.Code)
		}
		if got := rec.count(); got != s.wantCalls {
			t.Errorf("%s: handler calls = %d, want %d", s.name, got, s.wantCalls)
		}
	}
}
