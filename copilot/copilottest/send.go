package copilottest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// Envelope returns the JSON body of a delivery of event:
// {"type": ..., "timestamp": ..., "data": {"call": {...}}}. Event must be a
// *copilot.CallCompleted or a *copilot.CallAnalyzed.
func Envelope(event copilot.Event) ([]byte, error) {
	var call copilot.Call
	var at time.Time
	switch e := event.(type) {
	case *copilot.CallCompleted:
		call, at = e.Call, e.Timestamp
	case *copilot.CallAnalyzed:
		call, at = e.Call, e.Timestamp
	default:
		return nil, fmt.Errorf("copilottest: unsupported event type %T", event)
	}
	data, err := json.Marshal(map[string]copilot.Call{"call": call})
	if err != nil {
		return nil, fmt.Errorf("copilottest: encoding the call: %w", err)
	}
	return json.Marshal(copilot.Envelope{Type: event.Type(), Timestamp: at, Data: data})
}

// Sign returns the Standard Webhooks headers for body: webhook-id,
// webhook-timestamp (unix seconds of at) and webhook-signature
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>", made by
// [copilot.Signer]. The secret is a "whsec_" secret, whose rest is the
// base64 key, or a raw key.
func Sign(secret, id string, at time.Time, body []byte) (http.Header, error) {
	signer, err := copilot.NewSigner(secret)
	if err != nil {
		return nil, fmt.Errorf("copilottest: %w", err)
	}
	return signer.Sign(id, at, body), nil
}

// Sender posts signed deliveries. The zero value uses http.DefaultClient
// and time.Now.
type Sender struct {
	Client *http.Client     // HTTP client; nil means http.DefaultClient
	Now    func() time.Time // signing time; nil means time.Now
}

// Send posts event to url, signed with secret. The delivery id is the
// event's ID, or a random "msg_" id when it is empty. It returns the
// response status; the error reports only a failure to build or send.
func (s *Sender) Send(ctx context.Context, url, secret string, event copilot.Event) (int, error) {
	body, err := Envelope(event)
	if err != nil {
		return 0, err
	}
	id := event.ID()
	if id == "" {
		id = "msg_" + rand.Text()
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	h, err := Sign(secret, id, now(), body)
	if err != nil {
		return 0, err
	}
	return s.Post(ctx, url, h, body)
}

// Post posts body with the headers h as they are, for deliveries that a
// test forges or replays.
func (s *Sender) Post(ctx context.Context, url string, h http.Header, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("copilottest: building the delivery: %w", err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("copilottest: sending the delivery: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// Send posts event to url, signed with secret, with a zero [Sender].
func Send(ctx context.Context, url, secret string, event copilot.Event) (int, error) {
	return (&Sender{}).Send(ctx, url, secret, event)
}
