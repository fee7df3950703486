package copilot_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// Known-answer vector of the Standard Webhooks reference libraries
// (libraries/go/webhook_test.go, TestWebhookSign).
const (
	swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	swID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	swTS     = 1614265330
	swBody   = `{"test": 2432232314}`
	swSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// Known-answer vector of GitHub's documentation ("Validating webhook
// deliveries", section "Testing the webhook payload validation").
const (
	ghSecret = "It's a Secret to Everybody"
	ghBody   = "Hello, World!"
	ghSig    = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
)

// clockAt returns a clock stopped at unix second sec.
func clockAt(sec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, 0) }
}

// swHeader returns the Standard Webhooks headers of the vector.
func swHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", swID)
	h.Set("webhook-timestamp", strconv.Itoa(swTS))
	h.Set("webhook-signature", swSig)
	return h
}

func newSWVerifier(t testing.TB, secrets ...string) *copilot.Verifier {
	t.Helper()
	v, err := copilot.NewVerifier(secrets, &copilot.VerifierOptions{Now: clockAt(swTS)})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func TestVerifyStandardWebhooksVector(t *testing.T) {
	v := newSWVerifier(t, swSecret)
	d, err := v.Verify(swHeader(), []byte(swBody))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if d.ID != swID {
		t.Errorf("ID = %q, want %q", d.ID, swID)
	}
	if !d.Timestamp.Equal(time.Unix(swTS, 0)) {
		t.Errorf("Timestamp = %v, want %v", d.Timestamp, time.Unix(swTS, 0))
	}
}

func TestVerifyGitHubVector(t *testing.T) {
	v, err := copilot.NewVerifier([]string{ghSecret}, &copilot.VerifierOptions{Scheme: copilot.GitHub{}})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	h := http.Header{}
	h.Set("x-hub-signature-256", ghSig)
	h.Set("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
	d, err := v.Verify(h, []byte(ghBody))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !d.Timestamp.IsZero() {
		t.Errorf("Timestamp = %v, want the zero time", d.Timestamp)
	}

	upper := http.Header{}
	upper.Set("X-Hub-Signature-256", "sha256="+strings.ToUpper(strings.TrimPrefix(ghSig, "sha256=")))
	upper.Set("X-GitHub-Delivery", "1")
	if _, err := v.Verify(upper, []byte(ghBody)); err != nil {
		t.Errorf("Verify with upper-case hex: %v", err)
	}
}

func TestVerifyGitHubRejects(t *testing.T) {
	v, err := copilot.NewVerifier([]string{ghSecret}, &copilot.VerifierOptions{Scheme: copilot.GitHub{IDHeader: "x-request-id"}})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	tests := []struct {
		name string
		sig  string
		id   string
		body string
		want error
	}{
		{"valid with custom id header", ghSig, "r1", ghBody, nil},
		{"missing signature", "", "r1", ghBody, copilot.ErrNoSignature},
		{"sha1 prefix", "sha1=" + strings.TrimPrefix(ghSig, "sha256="), "r1", ghBody, copilot.ErrNoSignature},
		{"missing id", ghSig, "", ghBody, copilot.ErrDeliveryID},
		{"body changed", ghSig, "r1", "Hello, World?", copilot.ErrBadSignature},
		{"short hex", ghSig[:len(ghSig)-2], "r1", ghBody, copilot.ErrBadSignature},
		{"not hex", ghSig[:len(ghSig)-2] + "zz", "r1", ghBody, copilot.ErrBadSignature},
		{"empty hex", "sha256=", "r1", ghBody, copilot.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.sig != "" {
				h.Set("X-Hub-Signature-256", tt.sig)
			}
			if tt.id != "" {
				h.Set("X-Request-Id", tt.id)
			}
			_, err := v.Verify(h, []byte(tt.body))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Verify error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	v := newSWVerifier(t, swSecret)
	otherSig := "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	tests := []struct {
		name   string
		edit   func(h http.Header)
		body   string
		want   error
		wantID bool
	}{
		{"valid", nil, swBody, nil, true},
		{"missing id", func(h http.Header) { h.Del("webhook-id") }, swBody, copilot.ErrDeliveryID, false},
		{"missing timestamp", func(h http.Header) { h.Del("webhook-timestamp") }, swBody, copilot.ErrTimestamp, false},
		{"missing signature", func(h http.Header) { h.Del("webhook-signature") }, swBody, copilot.ErrNoSignature, false},
		{"no headers", func(h http.Header) { clear(h) }, swBody, copilot.ErrNoSignature, false},
		{"body one byte changed", nil, `{"test": 2432232315}`, copilot.ErrBadSignature, false},
		{"body re-serialised", nil, `{"test":2432232314}`, copilot.ErrBadSignature, false},
		{"body with trailing newline", nil, swBody + "\n", copilot.ErrBadSignature, false},
		{"empty body", nil, "", copilot.ErrBadSignature, false},
		{"id changed", func(h http.Header) { h.Set("webhook-id", swID+"x") }, swBody, copilot.ErrBadSignature, false},
		{"timestamp changed", func(h http.Header) { h.Set("webhook-timestamp", strconv.Itoa(swTS+1)) }, swBody, copilot.ErrBadSignature, false},
		{"timestamp not a number", func(h http.Header) { h.Set("webhook-timestamp", "2021-02-25T15:02:10Z") }, swBody, copilot.ErrTimestamp, false},
		{"timestamp in milliseconds", func(h http.Header) { h.Set("webhook-timestamp", strconv.Itoa(swTS*1000)) }, swBody, copilot.ErrTimestamp, false},
		{"signature one byte changed", func(h http.Header) { h.Set("webhook-signature", strings.Replace(swSig, "g0h", "g1h", 1)) }, swBody, copilot.ErrBadSignature, false},
		{"partial v1", func(h http.Header) { h.Set("webhook-signature", "v1,") }, swBody, copilot.ErrBadSignature, false},
		{"v1 without comma", func(h http.Header) { h.Set("webhook-signature", "v1") }, swBody, copilot.ErrNoSignature, false},
		{"unknown versions only", func(h http.Header) { h.Set("webhook-signature", "v2,"+swSig[3:]+" v1a,"+swSig[3:]) }, swBody, copilot.ErrNoSignature, false},
		{"unknown version then valid", func(h http.Header) { h.Set("webhook-signature", "v2,abc "+swSig) }, swBody, nil, true},
		{"valid signature last", func(h http.Header) { h.Set("webhook-signature", otherSig+" v1, "+swSig) }, swBody, nil, true},
		{"valid signature first", func(h http.Header) { h.Set("webhook-signature", swSig+" "+otherSig) }, swBody, nil, true},
		{"wrong signatures only", func(h http.Header) { h.Set("webhook-signature", otherSig+" "+otherSig) }, swBody, copilot.ErrBadSignature, false},
		{"signature with unused bits set", func(h http.Header) { h.Set("webhook-signature", strings.TrimSuffix(swSig, "E=")+"F=") }, swBody, copilot.ErrBadSignature, false},
		{"signature without padding", func(h http.Header) { h.Set("webhook-signature", strings.TrimSuffix(swSig, "=")) }, swBody, copilot.ErrBadSignature, false},
		{"signature not base64", func(h http.Header) { h.Set("webhook-signature", "v1,"+strings.Repeat("*", 44)) }, swBody, copilot.ErrBadSignature, false},
		{"signature hex encoded", func(h http.Header) { h.Set("webhook-signature", "v1,"+strings.Repeat("a", 64)) }, swBody, copilot.ErrBadSignature, false},
		{"id too long", func(h http.Header) { h.Set("webhook-id", strings.Repeat("a", copilot.MaxDeliveryIDLength+1)) }, swBody, copilot.ErrDeliveryID, false},
		{"id at max length", func(h http.Header) { h.Set("webhook-id", strings.Repeat("a", copilot.MaxDeliveryIDLength)) }, swBody, copilot.ErrBadSignature, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := swHeader()
			if tt.edit != nil {
				tt.edit(h)
			}
			d, err := v.Verify(h, []byte(tt.body))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if got := d.ID != ""; got != tt.wantID {
				t.Errorf("Verify returned ID %q; want an ID: %v", d.ID, tt.wantID)
			}
		})
	}
}

func TestVerifyTimestampWindow(t *testing.T) {
	signer, err := copilot.NewSigner(swSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	const now = 1_700_000_000
	body := []byte(`{"type":"call.completed"}`)
	tests := []struct {
		name   string
		offset int64 // signed time minus now, in seconds
		tol    time.Duration
		want   error
	}{
		{"now", 0, 0, nil},
		{"old at default edge", -300, 0, nil},
		{"old one second past default edge", -301, 0, copilot.ErrTooOld},
		{"new at default edge", 300, 0, nil},
		{"new one second past default edge", 301, 0, copilot.ErrTooNew},
		{"old at custom edge", -30, 30 * time.Second, nil},
		{"old past custom edge", -31, 30 * time.Second, copilot.ErrTooOld},
		{"new at custom edge", 30, 30 * time.Second, nil},
		{"new past custom edge", 31, 30 * time.Second, copilot.ErrTooNew},
		{"unix epoch", -now, 0, copilot.ErrTooOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := copilot.NewVerifier([]string{swSecret}, &copilot.VerifierOptions{
				Tolerance: tt.tol,
				Now:       clockAt(now),
			})
			if err != nil {
				t.Fatalf("NewVerifier: %v", err)
			}
			h := signer.Sign("msg_1", time.Unix(now+tt.offset, 0), body)
			_, err = v.Verify(h, body)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if tt.want != nil && !errors.Is(err, copilot.ErrTimestamp) {
				t.Errorf("Verify error = %v, want it to match ErrTimestamp too", err)
			}
		})
	}
}

func TestVerifySecretFormats(t *testing.T) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(swSecret, "whsec_"))
	if err != nil {
		t.Fatalf("decode vector secret: %v", err)
	}
	tests := []struct {
		name    string
		secrets []string
		wantErr error
	}{
		{"whsec prefixed base64", []string{swSecret}, nil},
		{"whsec unpadded base64", []string{"whsec_" + base64.RawStdEncoding.EncodeToString(key[:23])}, copilot.ErrBadSignature},
		{"raw key bytes", []string{string(key)}, nil},
		{"base64 without prefix is a raw key", []string{strings.TrimPrefix(swSecret, "whsec_")}, copilot.ErrBadSignature},
		{"rotation new secret first", []string{"whsec_" + base64.StdEncoding.EncodeToString([]byte("new key")), swSecret}, nil},
		{"rotation old secret first", []string{swSecret, "another raw key"}, nil},
		{"wrong secret", []string{"whsec_" + base64.StdEncoding.EncodeToString([]byte("wrong"))}, copilot.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newSWVerifier(t, tt.secrets...)
			_, err := v.Verify(swHeader(), []byte(swBody))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Verify error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewVerifierRejectsSecrets(t *testing.T) {
	const secretish = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw"
	tests := []struct {
		name    string
		secrets []string
	}{
		{"nil list", nil},
		{"empty secret", []string{""}},
		{"empty after valid", []string{swSecret, ""}},
		{"prefix only", []string{"whsec_"}},
		{"prefix with invalid base64", []string{"whsec_" + secretish + "!!"}},
		{"prefix with padding only", []string{"whsec_===="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := copilot.NewVerifier(tt.secrets, nil)
			if !errors.Is(err, copilot.ErrInvalidSecret) {
				t.Fatalf("NewVerifier error = %v, want ErrInvalidSecret", err)
			}
			if strings.Contains(err.Error(), secretish) {
				t.Errorf("error %q contains the secret", err)
			}
			_, err = copilot.NewSigner(strings.Join(tt.secrets, ""))
			if len(tt.secrets) < 2 && !errors.Is(err, copilot.ErrInvalidSecret) {
				t.Errorf("NewSigner error = %v, want ErrInvalidSecret", err)
			}
		})
	}
}

func TestNewVerifierRejectsOptions(t *testing.T) {
	for _, opts := range []copilot.VerifierOptions{{Tolerance: -time.Second}, {MaxBodyBytes: -1}} {
		if _, err := copilot.NewVerifier([]string{swSecret}, &opts); err == nil {
			t.Errorf("NewVerifier(%+v) succeeded, want an error", opts)
		}
	}
}

func TestVerifyErrorsOmitSecret(t *testing.T) {
	const secret = "raw-secret-7f3c9a"
	v, err := copilot.NewVerifier([]string{secret}, &copilot.VerifierOptions{Now: clockAt(swTS), MaxBodyBytes: 64})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	bodies := []string{swBody, strings.Repeat("x", 65)}
	for _, body := range bodies {
		h := swHeader()
		h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString([]byte(secret)))
		_, err := v.Verify(h, []byte(body))
		if err == nil {
			t.Fatalf("Verify succeeded with a forged signature")
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains the secret", err)
		}
	}
}

func TestVerifyTooLarge(t *testing.T) {
	v, err := copilot.NewVerifier([]string{swSecret}, &copilot.VerifierOptions{MaxBodyBytes: 8, Now: clockAt(swTS)})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	if _, err := v.Verify(swHeader(), []byte(swBody)); !errors.Is(err, copilot.ErrTooLarge) {
		t.Errorf("Verify error = %v, want ErrTooLarge", err)
	}
	if _, err := v.Verify(swHeader(), []byte("12345678")); !errors.Is(err, copilot.ErrBadSignature) {
		t.Errorf("Verify of a body at the limit: error = %v, want ErrBadSignature", err)
	}
}

func TestVerifyAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	v := newSWVerifier(t, swSecret)
	h := swHeader()
	body := []byte(swBody)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := v.Verify(h, body); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})
	if allocs > 2 {
		t.Errorf("Verify allocates %v times per call, want at most 2", allocs)
	}
	if testing.Verbose() {
		t.Logf("Verify allocates %v times per call", allocs)
	}
}

// countingReader is an endless body that counts the bytes read from it.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestVerifyRequestStopsAtLimit(t *testing.T) {
	const limit = 1000
	v, err := copilot.NewVerifier([]string{swSecret}, &copilot.VerifierOptions{MaxBodyBytes: limit})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	tests := []struct {
		name          string
		contentLength int64
		maxRead       int64
	}{
		{"unknown length", -1, limit + 1},
		{"declared too long", limit + 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingReader{}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "/", body)
			if err != nil {
				t.Fatalf("NewRequest: %v", err)
			}
			req.ContentLength = tt.contentLength
			req.Header = swHeader()
			_, _, err = v.VerifyRequest(req)
			if !errors.Is(err, copilot.ErrTooLarge) {
				t.Fatalf("VerifyRequest error = %v, want ErrTooLarge", err)
			}
			if body.n > tt.maxRead {
				t.Errorf("read %d bytes of the body, want at most %d", body.n, tt.maxRead)
			}
		})
	}
}

func TestVerifyTimestampInt64Edges(t *testing.T) {
	signer, err := copilot.NewSigner(swSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	v := newSWVerifier(t, swSecret)
	body := []byte(swBody)
	// time.Unix(-62135596800, 0) is the zero time.Time, which the
	// verifier reads as "this scheme signs no timestamp".
	for _, sec := range []int64{-62135596800, -1, math.MinInt64, math.MaxInt64, 253402300800} {
		t.Run(strconv.FormatInt(sec, 10), func(t *testing.T) {
			h := signer.Sign(swID, time.Unix(sec, 0), body)
			if got := h.Get("webhook-timestamp"); got != strconv.FormatInt(sec, 10) {
				t.Fatalf("signed timestamp header = %q, want %d", got, sec)
			}
			if _, err := v.Verify(h, body); !errors.Is(err, copilot.ErrTimestamp) {
				t.Errorf("Verify error = %v, want ErrTimestamp", err)
			}
		})
	}
}

func TestVerifySignatureHeaderTooLong(t *testing.T) {
	v := newSWVerifier(t, swSecret)
	filler := "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	fits := swSig
	for len(fits)+1+len(filler) <= 4096 {
		fits += " " + filler
	}
	tests := []struct {
		name string
		sigs string
		want error
	}{
		{"4096 bytes", fits, nil},
		{"valid first of 20000", swSig + strings.Repeat(" "+filler, 20000), copilot.ErrNoSignature},
		{"valid last of 20000", strings.Repeat(filler+" ", 20000) + swSig, copilot.ErrNoSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := swHeader()
			h.Set("webhook-signature", tt.sigs)
			_, err := v.Verify(h, []byte(swBody))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Verify of a %d-byte header: error = %v, want %v", len(tt.sigs), err, tt.want)
			}
		})
	}
}

// failingReader returns an error at once, as a client that sends headers
// with a large Content-Length and then stops.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestVerifyRequestDoesNotTrustContentLength(t *testing.T) {
	const limit = 64 << 20
	v, err := copilot.NewVerifier([]string{swSecret}, &copilot.VerifierOptions{MaxBodyBytes: limit})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "/", failingReader{})
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	req.ContentLength = limit
	req.Header = swHeader()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err = v.VerifyRequest(req)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("VerifyRequest of a failed body succeeded")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > limit/8 {
		t.Errorf("VerifyRequest allocated %d bytes for a body that sent none, want at most %d", got, limit/8)
	}
}

func TestVerifyRequestReadsWholeBody(t *testing.T) {
	const limit = 300 << 10
	signer, err := copilot.NewSigner(swSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	v, err := copilot.NewVerifier([]string{swSecret}, &copilot.VerifierOptions{MaxBodyBytes: limit, Now: clockAt(swTS)})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	for _, size := range []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 200 << 10, limit} {
		for _, known := range []bool{true, false} {
			t.Run(fmt.Sprintf("%d bytes length known %v", size, known), func(t *testing.T) {
				body := []byte(strings.Repeat("b", size))
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "/", io.MultiReader(bytes.NewReader(body)))
				if err != nil {
					t.Fatalf("NewRequest: %v", err)
				}
				req.ContentLength = -1
				if known {
					req.ContentLength = int64(size)
				}
				req.Header = signer.Sign(swID, time.Unix(swTS, 0), body)
				_, got, err := v.VerifyRequest(req)
				if err != nil {
					t.Fatalf("VerifyRequest: %v", err)
				}
				if !bytes.Equal(got, body) {
					t.Errorf("VerifyRequest returned %d bytes, want the %d sent", len(got), size)
				}
			})
		}
	}
}
