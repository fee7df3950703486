package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/clariwatch/clariwatch/copilot/copilottest"
	"github.com/clariwatch/clariwatch/notify/slacktest"
)

// syncBuffer is a log sink that the server goroutine and the test share.
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

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// startServer runs the webhook mode on 127.0.0.1:0 and returns its
// delivery URL; the server stops when the test ends.
func startServer(t *testing.T, cfg *config, logs io.Writer) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(logs, nil))
	go func() { done <- run(ctx, cfg, logger, func(addr string) { addrc <- addr }) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("run returned before listening: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run after shutdown: %v", err)
		}
	})
	return "http://" + addr + "/webhook"
}

func TestWebhookServerHandlesSignedDeliveries(t *testing.T) {
	slack := slacktest.NewServer(nil)
	t.Cleanup(slack.Close)
	logs := &syncBuffer{}
	url := startServer(t, &config{addr: "127.0.0.1:0", secret: testSecret, slackURL: slack.WebhookURL()}, logs)

	call := copilot.Call{ID: "call-42", Title: "Pricing review", Status: copilot.StatusProcessed}
	completed := &copilot.CallCompleted{DeliveryID: "msg_1", Timestamp: time.Now().UTC(), Call: call}
	analyzed := &copilot.CallAnalyzed{DeliveryID: "msg_2", Timestamp: time.Now().UTC(), Call: call}
	for _, e := range []copilot.Event{completed, analyzed} {
		status, err := copilottest.Send(t.Context(), url, testSecret, e)
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if status/100 != 2 {
			t.Errorf("delivery %s: status %d, want 2xx", e.ID(), status)
		}
	}
	status, err := copilottest.Send(t.Context(), url, "whsec_d3Jvbmcgc2VjcmV0IGZvciB0ZXN0cw==", completed)
	if err != nil {
		t.Fatalf("Send with the wrong secret: %v", err)
	}
	if status != 401 {
		t.Errorf("wrong secret: status %d, want 401", status)
	}

	for _, want := range []string{"type=call.completed delivery_id=msg_1", "type=call.analyzed delivery_id=msg_2"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	msgs := slack.Messages()
	if len(msgs) != 1 {
		t.Fatalf("Slack got %d messages, want 1 (completed calls only)", len(msgs))
	}
	if !strings.Contains(string(slack.Requests()[0].Body), "call-42") {
		t.Errorf("Slack message does not name the call: %s", slack.Requests()[0].Body)
	}
	if strings.Contains(logs.String(), testSecret) || strings.Contains(logs.String(), slack.WebhookURL()) {
		t.Error("log contains the signing secret or the Slack URL")
	}
}

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr bool
	}{
		{"webhook with secret", nil, map[string]string{"COPILOT_WEBHOOK_SECRET": testSecret}, false},
		{"webhook without secret", nil, nil, true},
		{"poll with credentials", []string{"-poll"}, map[string]string{"COPILOT_API_KEY": "k", "COPILOT_API_PASSWORD": "p"}, false},
		{"poll without password", []string{"-poll"}, map[string]string{"COPILOT_API_KEY": "k"}, true},
		{"demo needs nothing", []string{"-demo"}, nil, false},
		{"bad interval", []string{"-demo", "-interval", "0s"}, nil, true},
		{"unknown flag", []string{"-nope"}, nil, true},
		{"stray argument", []string{"-demo", "extra"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, env(tt.env), io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseConfig error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, errUsage) {
				t.Errorf("error %v does not match errUsage", err)
			}
		})
	}
}

func TestPollModeAgainstEmulator(t *testing.T) {
	emu := copilottest.NewServer(nil)
	t.Cleanup(emu.Close)
	emu.AddCall(copilot.Call{ID: "call-7", Status: copilot.StatusPostProcessingDone, LastModifiedTime: time.Now().UTC().Format(time.RFC3339)})
	logs := &syncBuffer{}
	cfg := &config{poll: true, interval: time.Hour, baseURL: emu.URL,
		apiKey: copilottest.DefaultAPIKey, apiPassword: copilottest.DefaultAPIPassword,
		checkpoint: t.TempDir() + "/cp.json"}
	seen := make(chan copilot.Event, 4)
	h := copilot.HandlerFunc(func(ctx context.Context, e copilot.Event) error {
		seen <- e
		return nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runPoller(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)), h) }()
	for _, want := range []string{copilot.EventCallCompleted, copilot.EventCallAnalyzed} {
		if got := (<-seen).Type(); got != want {
			t.Errorf("event type = %s, want %s", got, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("runPoller after cancel: %v", err)
	}
}

func TestMainExitCodes(t *testing.T) {
	noEnv := func(string) string { return "" }
	tests := []struct {
		name      string
		args      []string
		code      int
		wantLines int // stderr lines; -1 skips the count
		want      string
	}{
		{"help", []string{"-h"}, 0, -1, "COPILOT_WEBHOOK_SECRET"},
		{"unknown flag", []string{"-nope"}, 2, 1, "copilot-webhook: usage error: flag provided but not defined: -nope"},
		{"bad duration", []string{"-interval", "x"}, 2, 1, "copilot-webhook: usage error: invalid value"},
		{"missing secret", nil, 2, 1, "copilot-webhook: usage error: set COPILOT_WEBHOOK_SECRET"},
		{"missing credentials", []string{"-poll"}, 2, 1, "copilot-webhook: usage error: -poll needs COPILOT_API_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := realMain(t.Context(), tt.args, noEnv, &stderr); code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.want)
			}
			if n := strings.Count(stderr.String(), "\n"); tt.wantLines >= 0 && n != tt.wantLines {
				t.Errorf("stderr has %d lines, want %d:\n%s", n, tt.wantLines, stderr.String())
			}
		})
	}
}
