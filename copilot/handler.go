package copilot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// HandlerOptions configures the handler made by [NewHandler]. A nil
// *HandlerOptions and zero fields mean the defaults.
type HandlerOptions struct {
	// Logger receives rejected deliveries at warn (at most one line a
	// second, with a count of the lines left out), handler and cache
	// failures at error, unknown event types at info and replays at debug.
	// Nil logs nothing.
	Logger *slog.Logger
	// ReplayCache records handled delivery ids. Nil means a new
	// [MemoryReplayCache] of [DefaultReplayCacheSize] ids that uses the
	// verifier's clock.
	ReplayCache ReplayCache
}

// webhookHandler is the http.Handler returned by NewHandler.
type webhookHandler struct {
	verifier *Verifier
	handler  Handler
	cache    ReplayCache
	log      *slog.Logger
	rejects  rejectLog
	// inflight holds the ids being handled in this process, so that a copy
	// arriving meanwhile is asked to retry rather than acknowledged: if
	// the first copy fails, the sender must still deliver the event.
	inflight sync.Map
}

// rawBodyKey is the context key of the raw body given to a Handler.
type rawBodyKey struct{}

// RawBody returns the raw body of the delivery being handled, as it was
// signed, from the context that the handler of [NewHandler] passes to
// [Handler.HandleEvent]. It returns nil for any other context. The caller
// must not modify the returned bytes.
func RawBody(ctx context.Context) []byte {
	b, _ := ctx.Value(rawBodyKey{}).([]byte)
	return b
}

// NewHandler returns an http.Handler that verifies webhook deliveries with
// v, drops replays and passes each event to h. It responds with:
//
//   - 405 with an Allow header for any method but POST;
//   - 413 for a body over the verifier's limit, before any MAC is computed;
//   - 401 for a missing or invalid signature or timestamp, with no reason
//     in the body (the reason is logged);
//   - 400 for a body that cannot be read, or that is not a valid event
//     although its signature is;
//   - 204 for an event handled, a replay of one handled before, and an
//     event type that this package does not decode (logged);
//   - 409 with Retry-After for a copy of a delivery that is still being
//     handled in this process;
//   - 500 when h returns an error, so that the sender retries; the
//     delivery id is released from the replay cache first. When h panics
//     the id is released and the panic propagates, so net/http drops the
//     connection and the sender retries as well;
//   - 503 with Retry-After when the replay cache is full or fails.
//
// h receives the request's context, so it ends when the client goes away
// or the server's timeouts or the caller's middleware end it; [RawBody]
// returns the raw body from it. The handler sets no timeouts of its own:
// set ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout and
// MaxHeaderBytes on the http.Server, and a deadline on the request context
// if h may be slow. NewHandler panics if v or h is nil.
func NewHandler(v *Verifier, h Handler, opts *HandlerOptions) http.Handler {
	if v == nil || h == nil {
		panic("copilot: NewHandler needs a non-nil Verifier and Handler")
	}
	if opts == nil {
		opts = &HandlerOptions{}
	}
	wh := &webhookHandler{verifier: v, handler: h, cache: opts.ReplayCache, log: opts.Logger}
	if wh.cache == nil {
		wh.cache = NewMemoryReplayCache(DefaultReplayCacheSize, v.now)
	}
	if wh.log == nil {
		wh.log = slog.New(slog.DiscardHandler)
	}
	wh.rejects.log = wh.log
	return wh
}

// ServeHTTP verifies, decodes and dispatches one delivery.
func (wh *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	d, body, err := wh.verifier.VerifyRequest(r)
	if err != nil {
		wh.reject(w, r, err)
		return
	}
	ev, err := ParseEvent(d.ID, body)
	switch {
	case errors.Is(err, ErrUnknownEvent):
		wh.log.InfoContext(r.Context(), "copilot: acknowledged a delivery of an unknown event type",
			"delivery_id", d.ID, "error", err)
		w.WriteHeader(http.StatusNoContent)
		return
	case err != nil:
		wh.log.WarnContext(r.Context(), "copilot: rejected a signed delivery with an invalid event",
			"delivery_id", d.ID, "error", err)
		writeStatus(w, http.StatusBadRequest)
		return
	}
	if ev, ok := ev.(*CallCompleted); ok && ev.Timestamp.IsZero() {
		ev.Timestamp = d.Timestamp
	}
	if ev, ok := ev.(*CallAnalyzed); ok && ev.Timestamp.IsZero() {
		ev.Timestamp = d.Timestamp
	}
	wh.dispatch(w, r, d, ev, body)
}

// reject responds to a delivery whose body could not be read or verified.
func (wh *webhookHandler) reject(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusUnauthorized
	switch {
	case errors.Is(err, ErrTooLarge):
		status = http.StatusRequestEntityTooLarge
	case !isVerifyError(err):
		status = http.StatusBadRequest
	}
	wh.rejects.record(r, wh.verifier, status, err)
	writeStatus(w, status)
}

// isVerifyError reports whether err comes from a failed verification
// rather than from reading the body.
func isVerifyError(err error) bool {
	for _, target := range []error{ErrNoSignature, ErrBadSignature, ErrDeliveryID, ErrTimestamp} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// dispatch reserves the delivery id and calls the user's handler.
func (wh *webhookHandler) dispatch(w http.ResponseWriter, r *http.Request, d Delivery, ev Event, body []byte) {
	ctx := r.Context()
	if _, busy := wh.inflight.LoadOrStore(d.ID, struct{}{}); busy {
		wh.log.DebugContext(ctx, "copilot: asked a sender to retry a delivery being handled", "delivery_id", d.ID)
		w.Header().Set("Retry-After", "5")
		writeStatus(w, http.StatusConflict)
		return
	}
	defer wh.inflight.Delete(d.ID)

	err := wh.cache.Reserve(ctx, d.ID, wh.expiry(d))
	switch {
	case errors.Is(err, ErrReplay):
		wh.log.DebugContext(ctx, "copilot: acknowledged a replayed delivery", "delivery_id", d.ID)
		w.WriteHeader(http.StatusNoContent)
		return
	case err != nil:
		wh.log.ErrorContext(ctx, "copilot: replay cache failed; asked the sender to retry",
			"delivery_id", d.ID, "error", err)
		w.Header().Set("Retry-After", "60")
		writeStatus(w, http.StatusServiceUnavailable)
		return
	}

	if err := wh.handle(ctx, d, ev, body); err != nil {
		wh.log.ErrorContext(ctx, "copilot: event handler failed; the sender will retry",
			"delivery_id", d.ID, "event_type", ev.Type(), "error", err)
		writeStatus(w, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handle calls the user's handler and releases the reservation of d.ID
// unless the handler returns nil. A panic is released and re-raised, so
// that net/http logs it and the retry is handled.
func (wh *webhookHandler) handle(ctx context.Context, d Delivery, ev Event, body []byte) (err error) {
	handled := false
	defer func() {
		if handled {
			return
		}
		// The request context may be done; the release must still happen.
		if rerr := wh.cache.Release(context.WithoutCancel(ctx), d.ID); rerr != nil {
			wh.log.ErrorContext(ctx, "copilot: releasing a delivery id failed; its retries will be dropped",
				"delivery_id", d.ID, "error", rerr)
		}
	}()
	err = wh.handler.HandleEvent(context.WithValue(ctx, rawBodyKey{}, body), ev)
	handled = err == nil
	return err
}

// expiry returns when the replay cache may forget d.ID: once a copy of d
// would fail the timestamp check, or after the tolerance for a scheme
// without a timestamp.
func (wh *webhookHandler) expiry(d Delivery) time.Time {
	// One second of margin covers timestamps truncated to whole seconds.
	margin := wh.verifier.tolerance + time.Second
	if d.Timestamp.IsZero() {
		return wh.verifier.now().Add(margin)
	}
	return d.Timestamp.Add(margin)
}

// writeStatus responds with code and its status text as the body.
func writeStatus(w http.ResponseWriter, code int) {
	http.Error(w, http.StatusText(code), code)
}
