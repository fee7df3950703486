package copilot_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// FuzzVerify checks that Verify never panics on arbitrary Standard
// Webhooks headers and accepts a delivery only if the signature header
// holds the true signature of the id, timestamp and body.
func FuzzVerify(f *testing.F) {
	f.Add(swID, strconv.Itoa(swTS), swSig, []byte(swBody))
	f.Add(swID, strconv.Itoa(swTS), "v1,", []byte(swBody))
	f.Add(swID, strconv.Itoa(swTS), "v2,abc "+swSig, []byte(swBody))
	f.Add(swID, strconv.Itoa(swTS), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", []byte(swBody))
	f.Add("", "", "", []byte{})
	f.Add("a.b", "-1", "v1,, ,v1 v1,,,", []byte("{}"))
	f.Add(swID, "+1614265330", swSig, []byte(swBody))
	f.Add(swID, "99999999999999999999", swSig, []byte(swBody))

	signer, err := copilot.NewSigner(swSecret)
	if err != nil {
		f.Fatalf("NewSigner: %v", err)
	}
	v, err := copilot.NewVerifier([]string{swSecret}, &copilot.VerifierOptions{Now: clockAt(swTS)})
	if err != nil {
		f.Fatalf("NewVerifier: %v", err)
	}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		d, err := v.Verify(h, body)
		if err != nil {
			return
		}
		sec, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil {
			t.Fatalf("Verify accepted timestamp %q, which is not an integer", ts)
		}
		want := signer.Signature(id, time.Unix(sec, 0), body)
		if !contains(strings.Split(sig, " "), want) {
			t.Fatalf("Verify accepted signature header %q, which lacks %q", sig, want)
		}
		if d.ID != id {
			t.Fatalf("Verify returned ID %q, want %q", d.ID, id)
		}
	})
}

// FuzzVerifyGitHub checks that the GitHub scheme never panics and accepts
// only the true hex HMAC of the body.
func FuzzVerifyGitHub(f *testing.F) {
	f.Add(ghSig, "d1", []byte(ghBody))
	f.Add("sha256=", "d1", []byte(ghBody))
	f.Add(strings.ToUpper(ghSig), "d1", []byte(ghBody))
	f.Add("sha256="+strings.Repeat("g", 64), "", []byte{})

	v, err := copilot.NewVerifier([]string{ghSecret}, &copilot.VerifierOptions{Scheme: copilot.GitHub{}})
	if err != nil {
		f.Fatalf("NewVerifier: %v", err)
	}
	f.Fuzz(func(t *testing.T, sig, id string, body []byte) {
		h := http.Header{}
		h.Set("X-Hub-Signature-256", sig)
		h.Set("X-GitHub-Delivery", id)
		if _, err := v.Verify(h, body); err != nil {
			return
		}
		mac := hmac.New(sha256.New, []byte(ghSecret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if !strings.EqualFold(sig, want) || !strings.HasPrefix(sig, "sha256=") {
			t.Fatalf("Verify accepted %q, want %q", sig, want)
		}
	})
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
