package copilot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// loadDelivery is one request of the load test and the status it expects.
type loadDelivery struct {
	id     string
	header http.Header
	body   []byte
	want   int
}

// TestHandlerLoad sends signed deliveries from concurrent senders through
// a loopback server, then forged deliveries and replays of the signed
// ones, and checks that each signed delivery is handled exactly once and
// nothing else is handled. With -short it sends a tenth as many.
func TestHandlerLoad(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	const senders = 8

	var mu sync.Mutex
	handled := make(map[string]int, n)
	v, err := copilot.NewVerifier([]string{testSecret}, nil)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	srv := httptest.NewServer(copilot.NewHandler(v, copilot.HandlerFunc(func(_ context.Context, e copilot.Event) error {
		mu.Lock()
		handled[e.ID()]++
		mu.Unlock()
		return nil
	}), nil))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: senders,
		MaxConnsPerHost:     senders,
	}}
	defer client.CloseIdleConnections()

	signer, err := copilot.NewSigner(testSecret)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	forger, err := copilot.NewSigner("whsec_Zm9yZ2VkLWtleQ==")
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	signed := make([]loadDelivery, n)
	now := time.Now()
	for i := range signed {
		id := fmt.Sprintf("msg_%06d", i)
		body := eventBody(copilot.EventCallCompleted, fmt.Sprint("call-", i))
		signed[i] = loadDelivery{id: id, header: signer.Sign(id, now, body), body: body, want: http.StatusNoContent}
	}
	send(t, client, srv.URL, senders, signed)

	bad := make([]loadDelivery, 0, n)
	for i, d := range signed {
		switch i % 4 {
		case 0: // replay of a handled delivery
			bad = append(bad, d)
		case 1: // signed with another secret
			bad = append(bad, loadDelivery{d.id + "f", forger.Sign(d.id+"f", now, d.body), d.body, http.StatusUnauthorized})
		case 2: // body changed after signing
			changed := eventBody(copilot.EventCallCompleted, fmt.Sprint("call-", i+1))
			bad = append(bad, loadDelivery{d.id, d.header, changed, http.StatusUnauthorized})
		case 3: // signature of another delivery
			other := signed[(i+1)%n]
			h := d.header.Clone()
			h.Set("webhook-signature", other.header.Get("webhook-signature"))
			bad = append(bad, loadDelivery{d.id, h, d.body, http.StatusUnauthorized})
		}
	}
	send(t, client, srv.URL, senders, bad)

	mu.Lock()
	defer mu.Unlock()
	if len(handled) != n {
		t.Errorf("handled %d distinct ids, want %d", len(handled), n)
	}
	for _, d := range signed {
		if handled[d.id] != 1 {
			t.Errorf("delivery %s handled %d times, want once", d.id, handled[d.id])
		}
	}
}

// send posts the deliveries from concurrent senders and checks each
// status.
func send(t *testing.T, client *http.Client, url string, senders int, deliveries []loadDelivery) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(deliveries) || t.Failed() {
					return
				}
				if err := post(t.Context(), client, url, deliveries[i]); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

func post(ctx context.Context, client *http.Client, url string, d loadDelivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header = d.header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("delivery %s: %w", d.id, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("delivery %s: read response: %w", d.id, err)
	}
	if resp.StatusCode != d.want {
		return fmt.Errorf("delivery %s: status %d, want %d", d.id, resp.StatusCode, d.want)
	}
	return nil
}
