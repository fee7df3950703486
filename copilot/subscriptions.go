package copilot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// DefaultSubscriptionEndpoint is the default endpoint of [SubscriptionClient].
const DefaultSubscriptionEndpoint = "https://api.copilot.clari.com/v1/webhooks"

// Subscription is a webhook subscription: Copilot POSTs the listed events
// to URL.
type Subscription struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// SubscriptionClient registers, lists and deletes webhook subscriptions.
//
// Copilot's public REST specification documents no webhook or subscription
// endpoint. The shape used here is an assumption, so the endpoint is
// configurable with [WithBaseURL]: POST {endpoint} with the JSON body
// {"url": ..., "events": [...]} returns the subscription, GET {endpoint}
// returns {"subscriptions": [...]} or a bare array, and DELETE
// {endpoint}/{id} removes one. Requests carry "Authorization: Bearer
// <token>". The copilottest emulator implements the same shape.
//
// A SubscriptionClient is safe for concurrent use.
type SubscriptionClient struct {
	req *requester
}

// NewSubscriptionClient returns a subscription client that authenticates
// with the bearer token. The token must be non-empty. The options are those
// of [NewClient]; [WithBaseURL] sets the endpoint.
func NewSubscriptionClient(token string, opts ...Option) (*SubscriptionClient, error) {
	if token == "" {
		return nil, fmt.Errorf("copilot: subscription token must be set")
	}
	cfg, err := newConfig(DefaultSubscriptionEndpoint, opts)
	if err != nil {
		return nil, err
	}
	auth := func(h http.Header) { h.Set("Authorization", "Bearer "+token) }
	return &SubscriptionClient{req: newRequester(cfg, auth, []string{token})}, nil
}

// ValidateSubscription returns the error that [SubscriptionClient.Register]
// returns, before sending anything, for targetURL and events, or nil when
// Register would send them. Programs can call it to report bad input as a
// usage error.
func ValidateSubscription(targetURL string, events []string) error {
	if err := checkTargetURL(targetURL); err != nil {
		return fmt.Errorf("copilot: subscription target: %w", err)
	}
	return checkEvents(events)
}

// Register subscribes targetURL to events. targetURL must be https (http
// only for loopback hosts), and events must be non-empty and contain only
// [EventCallCompleted] and [EventCallAnalyzed]. [ValidateSubscription]
// checks both before anything is sent. Register is not retried on 5xx
// responses, because the subscription may have been created.
func (s *SubscriptionClient) Register(ctx context.Context, targetURL string, events []string) (*Subscription, error) {
	if err := ValidateSubscription(targetURL, events); err != nil {
		return nil, err
	}
	body := struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}{targetURL, events}
	var sub Subscription
	if err := s.req.doOperation(ctx, "register subscription", http.MethodPost, "", nil, body, &sub); err != nil {
		return nil, err
	}
	return &sub, nil
}

// List returns the registered subscriptions.
func (s *SubscriptionClient) List(ctx context.Context) ([]Subscription, error) {
	var raw rawSubscriptions
	if err := s.req.doOperation(ctx, "list subscriptions", http.MethodGet, "", nil, nil, &raw); err != nil {
		return nil, err
	}
	return raw.list, nil
}

// Delete removes the subscription with the id. An unknown id returns an
// error matching [ErrNotFound].
func (s *SubscriptionClient) Delete(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("copilot: Delete: empty subscription id")
	}
	return s.req.doOperation(ctx, "delete subscription", http.MethodDelete, "/"+url.PathEscape(id), nil, nil, nil)
}

// checkEvents accepts a non-empty list of known event names.
func checkEvents(events []string) error {
	if len(events) == 0 {
		return fmt.Errorf("copilot: no events to subscribe to; use %q and/or %q", EventCallCompleted, EventCallAnalyzed)
	}
	for _, e := range events {
		if e != EventCallCompleted && e != EventCallAnalyzed {
			return fmt.Errorf("copilot: unknown event %q; use %q or %q", e, EventCallCompleted, EventCallAnalyzed)
		}
	}
	return nil
}
