package copilot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// handleCall emits the events of one call that were not emitted before and
// moves the watermark to its modified time. It reports whether the
// watermark moved without a save.
func (p *Poller) handleCall(ctx context.Context, st *PollState, call Call) (bool, error) {
	modified, err := ParseTime(call.LastModifiedTime)
	if err != nil {
		p.logger.LogAttrs(ctx, slog.LevelWarn, "copilot: call has an invalid last_modified_time; watermark kept",
			slog.String("call_id", string(call.ID)), slog.String("last_modified_time", call.LastModifiedTime))
		modified = st.Watermark
	}
	for _, ev := range p.eventsFor(st, call, modified) {
		if _, done := st.Recent[ev.ID()]; done {
			continue
		}
		if err := p.handler.HandleEvent(ctx, ev); err != nil {
			return false, fmt.Errorf("copilot: handler failed on %s for call %s (delivery %s): %w",
				ev.Type(), call.ID, ev.ID(), err)
		}
		p.record(st, ev, string(call.ID), modified)
		if err := p.save(ctx, st); err != nil {
			return false, err
		}
	}
	return p.advanceWatermark(st, modified), nil
}

// advanceWatermark moves the watermark to modified, but never past the
// poller's clock: a call stamped far in the future would otherwise move
// the watermark past every later call, and the poller would see none of
// them. A call stamped ahead of the clock is listed again on later passes
// and skipped through Recent. It reports whether the watermark moved.
func (p *Poller) advanceWatermark(st *PollState, modified time.Time) bool {
	mark := modified
	if now := p.now().UTC(); mark.After(now) {
		mark = now
	}
	if !mark.After(st.Watermark) {
		return false
	}
	st.Watermark = mark
	return true
}

// eventsFor returns the events that the call's status calls for.
func (p *Poller) eventsFor(st *PollState, call Call, modified time.Time) []Event {
	at := modified
	if at.IsZero() {
		at = p.now().UTC()
	}
	completed := &CallCompleted{DeliveryID: pollDeliveryID(string(call.ID), EventCallCompleted), Timestamp: at, Call: call}
	switch call.Status {
	case StatusProcessed:
		return []Event{completed}
	case StatusPostProcessingDone:
		analyzed := &CallAnalyzed{DeliveryID: pollDeliveryID(string(call.ID), EventCallAnalyzed), Timestamp: at, Call: call}
		if slices.Contains(st.Pending, string(call.ID)) {
			return []Event{analyzed}
		}
		return []Event{completed, analyzed}
	}
	return nil
}

// record notes an emitted event in the state.
func (p *Poller) record(st *PollState, ev Event, callID string, modified time.Time) {
	st.Recent[ev.ID()] = modified
	p.advanceWatermark(st, modified)
	switch ev.(type) {
	case *CallCompleted:
		if !slices.Contains(st.Pending, callID) {
			st.Pending = append(st.Pending, callID)
		}
		if over := len(st.Pending) - p.maxPending; over > 0 {
			st.Pending = slices.Delete(st.Pending, 0, over)
		}
	case *CallAnalyzed:
		if i := slices.Index(st.Pending, callID); i >= 0 {
			st.Pending = slices.Delete(st.Pending, i, i+1)
		}
	}
}

// prune removes the events of calls modified before the overlap, which no
// later pass lists again. It reports whether anything was removed.
func (p *Poller) prune(st *PollState) bool {
	floor := st.Watermark.Add(-p.overlap)
	removed := false
	for id, modified := range st.Recent {
		if modified.Before(floor) {
			delete(st.Recent, id)
			removed = true
		}
	}
	return removed
}

// pollDeliveryID derives the delivery id of a polled event. It contains no
// dot, as Standard Webhooks requires of webhook-id, so a forwarded event
// can keep it.
func pollDeliveryID(callID, eventType string) string {
	sum := sha256.Sum256([]byte(eventType + "\x00" + callID))
	return "poll_" + hex.EncodeToString(sum[:16])
}
