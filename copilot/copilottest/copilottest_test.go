package copilottest_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/clariwatch/clariwatch/copilot/copilottest"
)

func TestSignKnownVector(t *testing.T) {
	h, err := copilottest.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Get("webhook-signature"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature = %q, want %q", got, want)
	}
	if _, err := copilottest.Sign("", "id", time.Now(), nil); err == nil {
		t.Error("Sign with an empty secret returned no error")
	}
}

func TestSendIsVerified(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	v, err := copilot.NewVerifier([]string{secret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan copilot.Event, 1)
	h := copilot.NewHandler(v, copilot.HandlerFunc(func(_ context.Context, e copilot.Event) error {
		got <- e
		return nil
	}), nil)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	sent := &copilot.CallAnalyzed{DeliveryID: "msg_a", Timestamp: time.Now().UTC().Truncate(time.Second),
		Call: copilot.Call{ID: "c1", Status: copilot.StatusPostProcessingDone}}
	status, err := copilottest.Send(t.Context(), ts.URL, secret, sent)
	if err != nil || status/100 != 2 {
		t.Fatalf("Send = %d, %v; want 2xx", status, err)
	}
	e := <-got
	analyzed, ok := e.(*copilot.CallAnalyzed)
	if !ok || analyzed.ID() != "msg_a" || analyzed.Call.ID != "c1" {
		t.Errorf("handler got %#v", e)
	}
}

func TestEmulatorRejectsBadCredentials(t *testing.T) {
	srv := copilottest.NewServer(nil)
	t.Cleanup(srv.Close)
	for _, hdr := range []map[string]string{
		{},
		{"X-Api-Key": copilottest.DefaultAPIKey},
		{"X-Api-Password": copilottest.DefaultAPIPassword},
		{"X-Api-Key": "x", "X-Api-Password": copilottest.DefaultAPIPassword},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/calls", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("headers %v: status %d, want 401", hdr, resp.StatusCode)
		}
	}
}

func TestEmulatorRejectsBadPage(t *testing.T) {
	srv := copilottest.NewServer(nil)
	t.Cleanup(srv.Close)
	for _, q := range []string{"skip=10001", "limit=0", "limit=101", "filterModifiedGt=yesterday"} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/calls?"+q, nil)
		req.Header.Set("X-Api-Key", copilottest.DefaultAPIKey)
		req.Header.Set("X-Api-Password", copilottest.DefaultAPIPassword)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, resp.StatusCode)
		}
	}
}

// ExampleServer lists calls from the emulator with the REST client.
func ExampleServer() {
	srv := copilottest.NewServer(&copilottest.Options{
		Now: func() time.Time { return time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) },
	})
	defer srv.Close()
	srv.AddCall(copilot.Call{ID: "c1", Title: "Discovery", Status: "INPROGRESS"})
	_ = srv.SetStatus("c1", copilot.StatusProcessed)

	client, err := copilot.NewClient(copilottest.DefaultAPIKey, copilottest.DefaultAPIPassword,
		copilot.WithBaseURL(srv.URL), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := client.ListCalls(context.Background(), &copilot.ListCallsOptions{Statuses: []string{copilot.StatusProcessed}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range page.Calls {
		fmt.Println(c.ID, c.Title, c.Status, c.LastModifiedTime)
	}
	// Output: c1 Discovery PROCESSED 2026-03-04T10:00:00.000Z
}
