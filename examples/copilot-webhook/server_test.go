package main

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWebhookServerLimits(t *testing.T) {
	srv := newWebhookServer(http.NotFoundHandler())
	checks := []struct {
		name      string
		got, want time.Duration
	}{
		{"ReadHeaderTimeout", srv.ReadHeaderTimeout, 10 * time.Second},
		{"ReadTimeout", srv.ReadTimeout, 30 * time.Second},
		{"WriteTimeout", srv.WriteTimeout, 60 * time.Second},
		{"IdleTimeout", srv.IdleTimeout, 2 * time.Minute},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if srv.MaxHeaderBytes != 64<<10 {
		t.Errorf("MaxHeaderBytes = %d, want %d", srv.MaxHeaderBytes, 64<<10)
	}
	if handlerTimeout >= srv.WriteTimeout {
		t.Errorf("handlerTimeout %v is not shorter than WriteTimeout %v", handlerTimeout, srv.WriteTimeout)
	}
}

func TestWebhookServerRejectsLargeHeaders(t *testing.T) {
	srv := newWebhookServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	url := "http://" + ln.Addr().String() + "/webhook"

	tests := []struct {
		name       string
		headerSize int
		wantStatus int
	}{
		{"small headers", 1 << 10, http.StatusNoContent},
		{"headers over 64 KiB", 128 << 10, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Padding", strings.Repeat("a", tt.headerSize))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("POST: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
		})
	}
}

func TestHandlerContextHasDeadline(t *testing.T) {
	var hasDeadline bool
	h := withDeadline(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, hasDeadline = r.Context().Deadline()
	}), handlerTimeout)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "/webhook", nil)
	if err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(nil, req)
	if !hasDeadline {
		t.Error("handler context has no deadline")
	}
}
