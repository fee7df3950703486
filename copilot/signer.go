package copilot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// Signer signs deliveries with the Standard Webhooks scheme, for tests and
// for forwarding events to other receivers. A Signer is safe for
// concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for secret, read as [NewVerifier] reads its
// secrets: "whsec_" and base64, or the raw key. It returns an error
// matching [ErrInvalidSecret] if secret is empty or malformed.
func NewSigner(secret string) (*Signer, error) {
	key, err := parseSecret(secret)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

// Signature returns the "v1,<base64>" signature of body for delivery id
// at ts, truncated to whole seconds. The id must not contain a full stop,
// which the scheme uses as a separator.
func (s *Signer) Signature(id string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, s.key)
	prefix := StandardWebhooks{}.AppendSigned(nil, Delivery{ID: id, Timestamp: ts})
	mac.Write(prefix)
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SetHeaders sets the webhook-id, webhook-timestamp and webhook-signature
// headers of h for body.
func (s *Signer) SetHeaders(h http.Header, id string, ts time.Time, body []byte) {
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderWebhookSignature, s.Signature(id, ts, body))
}

// Sign returns new headers that sign body for delivery id at ts; see
// [Signer.SetHeaders].
func (s *Signer) Sign(id string, ts time.Time, body []byte) http.Header {
	h := make(http.Header, 3)
	s.SetHeaders(h, id, ts, body)
	return h
}
