// Package copilot receives Clari Copilot call events, pushed as signed
// webhook deliveries or pulled by polling Copilot's REST API.
//
// For pushed deliveries, [NewHandler] returns an http.Handler that checks
// each delivery with a [Verifier] (Standard Webhooks signatures by
// default, or [GitHub]-style ones), drops replays through a [ReplayCache]
// and passes a typed [Event] to a [Handler]. A [Signer] signs deliveries
// in the same scheme, for tests and for forwarding events. For pulled
// events, a [Poller] derives the same events from the calls that [Client]
// lists.
package copilot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event types, as carried in the "type" field of a delivery.
const (
	EventCallCompleted = "call.completed" // the call reached PROCESSED
	EventCallAnalyzed  = "call.analyzed"  // the call reached POST_PROCESSING_DONE
)

// Event is a typed call event: a *CallCompleted or a *CallAnalyzed.
type Event interface {
	// Type returns the event type, such as [EventCallCompleted].
	Type() string
	// ID returns the delivery id: the webhook-id of a push delivery, or an id
	// derived from the call id and status for an event made by the [Poller].
	ID() string
}

// CallCompleted is delivered when a call reaches the PROCESSED status.
type CallCompleted struct {
	DeliveryID string    `json:"-"`
	Timestamp  time.Time `json:"timestamp"`
	Call       Call      `json:"call"`
}

// CallAnalyzed is delivered when a call reaches POST_PROCESSING_DONE.
type CallAnalyzed struct {
	DeliveryID string    `json:"-"`
	Timestamp  time.Time `json:"timestamp"`
	Call       Call      `json:"call"`
}

// Type returns [EventCallCompleted].
func (e *CallCompleted) Type() string { return EventCallCompleted }

// ID returns the delivery id.
func (e *CallCompleted) ID() string { return e.DeliveryID }

// Type returns [EventCallAnalyzed].
func (e *CallAnalyzed) Type() string { return EventCallAnalyzed }

// ID returns the delivery id.
func (e *CallAnalyzed) ID() string { return e.DeliveryID }

// Handler handles one event. The webhook handler and the [Poller] both call
// it. A non-nil error means the event was not handled. The webhook handler
// then responds with 500 so that the sender retries, and the poller keeps
// its checkpoint.
type Handler interface {
	HandleEvent(ctx context.Context, e Event) error
}

// HandlerFunc adapts a function to [Handler].
type HandlerFunc func(ctx context.Context, e Event) error

// HandleEvent calls f(ctx, e).
func (f HandlerFunc) HandleEvent(ctx context.Context, e Event) error { return f(ctx, e) }

// Envelope is the JSON body of a delivery: {"type": ..., "timestamp": ...,
// "data": {"call": {...}}}.
type Envelope struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// ErrUnknownEvent means a delivery's "type" is not an event type that this
// package decodes. The webhook handler acknowledges such deliveries and
// logs them.
var ErrUnknownEvent = errors.New("copilot: unknown event type")

// ParseEvent decodes body, the JSON [Envelope] of a delivery, into a
// *[CallCompleted] or a *[CallAnalyzed] with the given delivery id. An
// envelope without a timestamp gets the zero time. ParseEvent returns an
// error matching [ErrUnknownEvent] for another event type, and an error
// naming the fault for malformed JSON or a missing call id.
func ParseEvent(deliveryID string, body []byte) (Event, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("copilot: decode delivery %q: %w", clip(deliveryID), err)
	}
	if env.Type != EventCallCompleted && env.Type != EventCallAnalyzed {
		return nil, fmt.Errorf("%w %q in delivery %q", ErrUnknownEvent, clip(env.Type), clip(deliveryID))
	}
	var data struct {
		Call *Call `json:"call"`
	}
	if len(env.Data) == 0 {
		return nil, fmt.Errorf("copilot: delivery %q has no data field", clip(deliveryID))
	}
	if err := json.Unmarshal(env.Data, &data); err != nil {
		return nil, fmt.Errorf("copilot: decode data of delivery %q: %w", clip(deliveryID), err)
	}
	if data.Call == nil || data.Call.ID == "" {
		return nil, fmt.Errorf("copilot: delivery %q has no data.call.id", clip(deliveryID))
	}
	if env.Type == EventCallCompleted {
		return &CallCompleted{DeliveryID: deliveryID, Timestamp: env.Timestamp, Call: *data.Call}, nil
	}
	return &CallAnalyzed{DeliveryID: deliveryID, Timestamp: env.Timestamp, Call: *data.Call}, nil
}
