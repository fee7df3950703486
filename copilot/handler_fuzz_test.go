package copilot_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// FuzzHandler checks that the webhook handler never panics and never calls
// the user's handler for a request without a valid signature inside the
// time window. When sign is true the fuzzer's signature header is followed
// by a valid signature, so that decoding and dispatch are reached too.
func FuzzHandler(f *testing.F) {
	completed := eventBody(copilot.EventCallCompleted, "c1")
	f.Add(uint8(0), "m1", strconv.Itoa(testNow), "", completed, true)
	f.Add(uint8(0), "m2", strconv.Itoa(testNow), "v1,", []byte(`{"type":"call.analyzed","data":{"call":{"id":"x"}}}`), true)
	f.Add(uint8(0), "m3", strconv.Itoa(testNow), "", []byte(`{"type":"call.completed","data":{"call":null}}`), true)
	f.Add(uint8(0), "m4", strconv.Itoa(testNow), "", []byte(`{"type":`), true)
	f.Add(uint8(0), "m5", strconv.Itoa(testNow-301), "", completed, true)
	f.Add(uint8(0), "m6", strconv.Itoa(testNow), "v1,AAAA", completed, false)
	f.Add(uint8(1), "m7", strconv.Itoa(testNow), "", completed, true)
	f.Add(uint8(0), "", "", "", []byte{}, false)

	methods := []string{http.MethodPost, http.MethodGet, http.MethodPut, http.MethodHead, http.MethodOptions}
	clock := clockAt(testNow)
	v, err := copilot.NewVerifier([]string{testSecret}, &copilot.VerifierOptions{Now: clock, MaxBodyBytes: 2048})
	if err != nil {
		f.Fatalf("NewVerifier: %v", err)
	}
	signer, err := copilot.NewSigner(testSecret)
	if err != nil {
		f.Fatalf("NewSigner: %v", err)
	}
	var last struct {
		t                   *testing.T
		method, id, ts, sig string
		body                []byte
	}
	h := copilot.NewHandler(v, copilot.HandlerFunc(func(ctx context.Context, e copilot.Event) error {
		checkDelivery(last.t, signer, last.method, last.id, last.ts, last.sig, last.body)
		if !bytes.Equal(copilot.RawBody(ctx), last.body) {
			last.t.Errorf("RawBody = %q, want %q", copilot.RawBody(ctx), last.body)
		}
		return nil
	}), nil)

	f.Fuzz(func(t *testing.T, method uint8, id, ts, sig string, body []byte, sign bool) {
		last.t = t
		last.method = methods[int(method)%len(methods)]
		last.id, last.ts, last.body = id, ts, body
		last.sig = sig
		if sec, err := strconv.ParseInt(ts, 10, 64); sign && err == nil {
			last.sig = strings.TrimSpace(sig + " " + signer.Signature(id, time.Unix(sec, 0), body))
		}
		req := httptest.NewRequestWithContext(t.Context(), last.method, "/", bytes.NewReader(body))
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", ts)
		req.Header.Set("webhook-signature", last.sig)
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		switch rr.Code {
		case http.StatusNoContent, http.StatusBadRequest, http.StatusUnauthorized, http.StatusMethodNotAllowed,
			http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable:
		default:
			t.Fatalf("status = %d, not one the handler documents for this input", rr.Code)
		}
	})
}

// checkDelivery fails t unless the request is a POST whose signature
// header holds the true signature and whose timestamp is in the window.
func checkDelivery(t *testing.T, signer *copilot.Signer, method, id, ts, sig string, body []byte) {
	if method != http.MethodPost {
		t.Errorf("handler called for method %s", method)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		t.Errorf("handler called with timestamp %q, not an integer", ts)
		return
	}
	if sec < testNow-300 || sec > testNow+300 {
		t.Errorf("handler called with timestamp %d, outside the window", sec)
	}
	if want := signer.Signature(id, time.Unix(sec, 0), body); !contains(strings.Split(sig, " "), want) {
		t.Errorf("handler called with signature header %q, which lacks %q", sig, want)
	}
}
