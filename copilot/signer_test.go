package copilot_test

import (
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/google/go-cmp/cmp"
)

func TestSignerVector(t *testing.T) {
	s, err := copilot.NewSigner(swSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	got := s.Sign(swID, time.Unix(swTS, 0), []byte(swBody))
	want := http.Header{
		"Webhook-Id":        {swID},
		"Webhook-Timestamp": {"1614265330"},
		"Webhook-Signature": {swSig},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Sign headers mismatch (-want +got):\n%s", diff)
	}
}

func TestSignerSecretFormats(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	secrets := map[string]string{
		"padded base64":   "whsec_" + base64.StdEncoding.EncodeToString(key[:31]),
		"unpadded base64": "whsec_" + base64.RawStdEncoding.EncodeToString(key[:31]),
		"raw":             string(key[:31]),
	}
	body := []byte(`{"type":"call.completed"}`)
	now := time.Unix(1_700_000_000, 0)
	var sigs []string
	for name, secret := range secrets {
		t.Run(name, func(t *testing.T) {
			s, err := copilot.NewSigner(secret)
			if err != nil {
				t.Fatalf("NewSigner: %v", err)
			}
			v, err := copilot.NewVerifier([]string{secret}, &copilot.VerifierOptions{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("NewVerifier: %v", err)
			}
			h := s.Sign("msg_1", now, body)
			if _, err := v.Verify(h, body); err != nil {
				t.Errorf("Verify of a signed delivery: %v", err)
			}
			sigs = append(sigs, h.Get("webhook-signature"))
		})
	}
	for _, sig := range sigs[1:] {
		if sig != sigs[0] {
			t.Errorf("signatures differ between secret formats of one key: %q and %q", sigs[0], sig)
		}
	}
}

func TestSignerSetHeadersKeepsOthers(t *testing.T) {
	s, err := copilot.NewSigner(swSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	s.SetHeaders(h, swID, time.Unix(swTS, 0), []byte(swBody))
	if got := h.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	if got := h.Get("webhook-signature"); got != swSig {
		t.Errorf("webhook-signature = %q, want %q", got, swSig)
	}
}
