package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/clariwatch/clariwatch/copilot/copilottest"
)

// runDemo runs the chosen mode against the copilottest emulator on
// loopback: in webhook mode a sender posts signed deliveries to the
// server; in poll mode a call moves through its statuses while the poller
// watches.
func runDemo(ctx context.Context, cfg *config, logger *slog.Logger, h copilot.Handler, ready func(string)) error {
	if cfg.poll {
		return demoPoll(ctx, cfg, logger, h)
	}
	secret := newDemoSecret()
	addrc := make(chan string, 1)
	go func() {
		select {
		case addr := <-addrc:
			demoSend(ctx, "http://"+addr+"/webhook", secret, logger)
		case <-ctx.Done():
		}
	}()
	return serveWebhooks(ctx, cfg.addr, secret, logger, h, func(addr string) {
		addrc <- addr
		if ready != nil {
			ready(addr)
		}
	})
}

func demoSend(ctx context.Context, url, secret string, logger *slog.Logger) {
	completed := copilot.Call{ID: "demo-call-1", Title: "Demo: discovery call", Status: copilot.StatusProcessed}
	analyzed := completed
	analyzed.Status = copilot.StatusPostProcessingDone
	events := []copilot.Event{
		&copilot.CallCompleted{DeliveryID: "msg_demo_1", Timestamp: time.Now().UTC(), Call: completed},
		&copilot.CallAnalyzed{DeliveryID: "msg_demo_2", Timestamp: time.Now().UTC(), Call: analyzed},
		// The same delivery id again: the handler acknowledges it and does
		// not handle it twice.
		&copilot.CallAnalyzed{DeliveryID: "msg_demo_2", Timestamp: time.Now().UTC(), Call: analyzed},
	}
	for i, e := range events {
		status, err := copilottest.Send(ctx, url, secret, e)
		if err != nil {
			logger.Error("copilot-webhook: demo send failed", "delivery_id", e.ID(), "error", err)
			return
		}
		logger.Info("copilot-webhook: demo delivery sent", "delivery_id", e.ID(), "status", status,
			"replay", i == len(events)-1)
	}
}

func demoPoll(ctx context.Context, cfg *config, logger *slog.Logger, h copilot.Handler) error {
	emu := copilottest.NewServer(nil)
	defer emu.Close()
	emu.AddCall(copilot.Call{ID: "demo-call-1", Title: "Demo: discovery call", Status: "INPROGRESS"})
	client, err := copilot.NewClient(copilottest.DefaultAPIKey, copilottest.DefaultAPIPassword,
		copilot.WithBaseURL(emu.URL), copilot.WithLogger(logger), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		return err
	}
	poller, err := copilot.NewPoller(client, h, &copilot.MemoryCheckpoint{},
		&copilot.PollerOptions{Interval: time.Second, Start: time.Now().Add(-time.Minute), Logger: logger})
	if err != nil {
		return err
	}
	go func() {
		for _, status := range []string{copilot.StatusProcessed, copilot.StatusPostProcessingDone} {
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
			if err := emu.SetStatus("demo-call-1", status); err != nil {
				logger.Error("copilot-webhook: demo status change failed", "error", err)
			}
			logger.Info(fmt.Sprintf("copilot-webhook: demo call moved to %s", status))
		}
	}()
	logger.Info("copilot-webhook: demo polling the emulator", "url", emu.URL)
	if err := poller.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
