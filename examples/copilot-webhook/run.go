package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/clariwatch/clariwatch/notify"
)

// shutdownTimeout bounds how long in-flight deliveries may take to finish
// after a stop signal.
const shutdownTimeout = 10 * time.Second

// Limits of the webhook server. copilot.NewHandler sets no timeouts of its
// own, so the server bounds every phase: a slow or stalled client cannot
// hold a connection or a goroutine open.
const (
	// readHeaderTimeout and readTimeout bound reading the request headers,
	// and the headers plus the body.
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	// handlerTimeout is the deadline of the request context that the event
	// handler, and so the Slack forward with its retries, receives. It is
	// shorter than writeTimeout so that a slow forward ends in a 500 that
	// the sender receives and retries, instead of a cut connection.
	handlerTimeout = 50 * time.Second
	// writeTimeout bounds the time from the end of the request headers to
	// the end of the response.
	writeTimeout = 60 * time.Second
	// idleTimeout closes keep-alive connections that carry no request.
	idleTimeout = 2 * time.Minute
	// maxHeaderBytes caps the request headers. A delivery needs a few
	// hundred bytes of them; net/http's default is 1 MiB.
	maxHeaderBytes = 64 << 10
)

// newWebhookServer returns the server for h with the limits above.
func newWebhookServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           withDeadline(h, handlerTimeout),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// withDeadline gives the request context of h a deadline d after the
// handler starts.
func withDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// run starts the configured mode and returns when ctx ends. ready, if not
// nil, receives the address the webhook server listens on.
func run(ctx context.Context, cfg *config, logger *slog.Logger, ready func(addr string)) error {
	var forward notify.Notifier
	if cfg.slackURL != "" {
		slack, err := notify.NewSlack(cfg.slackURL, &notify.SlackOptions{Logger: logger})
		if err != nil {
			return fmt.Errorf("SLACK_WEBHOOK_URL: %w", err)
		}
		forward = slack
	}
	h := &eventLogger{logger: logger, forward: forward}
	if cfg.demo {
		return runDemo(ctx, cfg, logger, h, ready)
	}
	if cfg.poll {
		return runPoller(ctx, cfg, logger, h)
	}
	return serveWebhooks(ctx, cfg.addr, cfg.secret, logger, h, ready)
}

// serveWebhooks serves deliveries on addr until ctx ends, then shuts down.
func serveWebhooks(ctx context.Context, addr, secret string, logger *slog.Logger, h copilot.Handler, ready func(string)) error {
	verifier, err := copilot.NewVerifier([]string{secret}, nil)
	if err != nil {
		return fmt.Errorf("COPILOT_WEBHOOK_SECRET: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/webhook", copilot.NewHandler(verifier, h, &copilot.HandlerOptions{Logger: logger}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := newWebhookServer(mux)
	logger.Info("copilot-webhook: listening", "addr", ln.Addr().String(), "path", "/webhook")
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("copilot-webhook: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runPoller polls until ctx ends.
func runPoller(ctx context.Context, cfg *config, logger *slog.Logger, h copilot.Handler) error {
	opts := []copilot.Option{copilot.WithLogger(logger)}
	if cfg.baseURL != "" {
		opts = append(opts, copilot.WithBaseURL(cfg.baseURL))
	}
	client, err := copilot.NewClient(cfg.apiKey, cfg.apiPassword, opts...)
	if err != nil {
		return err
	}
	poller, err := copilot.NewPoller(client, h, copilot.NewFileCheckpoint(cfg.checkpoint),
		&copilot.PollerOptions{Interval: cfg.interval, Logger: logger})
	if err != nil {
		return err
	}
	logger.Info("copilot-webhook: polling", "interval", cfg.interval, "checkpoint", cfg.checkpoint)
	if err := poller.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	logger.Info("copilot-webhook: stopped")
	return nil
}

// eventLogger logs each event and forwards completed calls.
type eventLogger struct {
	logger  *slog.Logger
	forward notify.Notifier // nil: no forwarding
}

var _ copilot.Handler = (*eventLogger)(nil)

func (l *eventLogger) HandleEvent(ctx context.Context, e copilot.Event) error {
	var call copilot.Call
	switch ev := e.(type) {
	case *copilot.CallCompleted:
		call = ev.Call
	case *copilot.CallAnalyzed:
		call = ev.Call
	}
	l.logger.Info("copilot-webhook: event", "type", e.Type(), "delivery_id", e.ID(),
		"call_id", call.ID, "status", call.Status, "title", call.Title)
	if _, ok := e.(*copilot.CallCompleted); !ok || l.forward == nil {
		return nil
	}
	line := fmt.Sprintf("Call completed: %s (%s)", cmpOr(call.Title, "untitled"), call.ID)
	if call.CallReviewPageURL != "" {
		line += " " + call.CallReviewPageURL
	}
	if err := l.forward.Notify(ctx, &notify.Message{Key: e.ID(), Title: "Copilot call completed", Text: line}); err != nil {
		return fmt.Errorf("forwarding call %s to Slack: %w", call.ID, err)
	}
	return nil
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// newDemoSecret returns a random Standard Webhooks secret.
func newDemoSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}
