package copilot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Defaults of [PollerOptions].
const (
	DefaultPollInterval = time.Minute
	DefaultPollOverlap  = 2 * time.Minute
	DefaultMaxPending   = 10000
)

// PollerOptions configure a [Poller]. Zero fields take the defaults.
type PollerOptions struct {
	// Interval is the time between the starts of two passes of Run.
	// Default DefaultPollInterval. Mind Copilot's weekly request quota: a
	// pass costs at least one request.
	Interval time.Duration

	// Overlap is how far before the watermark each pass starts listing, to
	// absorb calls that Copilot lists slightly out of order or late.
	// Events already emitted inside it are remembered and not emitted
	// again. Default DefaultPollOverlap.
	Overlap time.Duration

	// Start is the watermark used when the checkpoint is empty. Zero means
	// the time of the first pass. Like every pass, the first one lists from
	// Overlap before the watermark, so a new poller emits the events of calls
	// modified up to Overlap before Start, and no older history.
	Start time.Time

	// MaxPending caps the number of calls remembered between call.completed
	// and call.analyzed. Default DefaultMaxPending.
	MaxPending int

	// Logger logs failed passes. Nil logs nothing.
	Logger *slog.Logger
}

// Poller derives call events by polling GET /calls, for workspaces that
// get no webhook deliveries. Each pass lists the calls modified since the
// checkpoint's watermark, sorted by processed time ascending, 100 a page,
// and calls the handler with:
//
//   - a *CallCompleted when a call is seen in status PROCESSED.
//   - a *CallAnalyzed when a call is seen in status POST_PROCESSING_DONE.
//     It is preceded by a *CallCompleted unless the poller emitted one for
//     that call before, so every call yields both events in order, even
//     when it passed PROCESSED between two passes.
//
// The delivery id of an event is derived from the call id and the event
// type, so it is the same on every poller and after a restart. The
// checkpoint is saved after each event the handler accepted. A handler
// error ends the pass, and the next pass emits that event again. An event
// is emitted once, provided the checkpoint was saved after the handler
// returned, except in two bounded cases. A call that waits in PROCESSED
// while more than PollerOptions.MaxPending other calls complete gets a
// second call.completed when it is analyzed. A call whose status changes
// back and reaches the same status again gets the same event, with the
// same id, again.
//
// A Poller is safe for concurrent use; passes do not overlap.
type Poller struct {
	client     *Client
	handler    Handler
	checkpoint Checkpoint
	interval   time.Duration
	overlap    time.Duration
	start      time.Time
	maxPending int
	logger     *slog.Logger

	mu    sync.Mutex // one pass at a time; guards state
	state *PollState // nil until loaded

	// Test hooks.
	now       func() time.Time
	newTicker func(time.Duration) (<-chan time.Time, func())
	passDone  func(error)
}

// NewPoller returns a poller that lists calls with c, passes events to h
// and keeps its state in cp. A nil opts takes the defaults.
func NewPoller(c *Client, h Handler, cp Checkpoint, opts *PollerOptions) (*Poller, error) {
	if c == nil || h == nil || cp == nil {
		return nil, fmt.Errorf("copilot: NewPoller needs a client, a handler and a checkpoint")
	}
	var o PollerOptions
	if opts != nil {
		o = *opts
	}
	if o.Interval < 0 || o.Overlap < 0 || o.MaxPending < 0 {
		return nil, fmt.Errorf("copilot: poller options: negative Interval %v, Overlap %v or MaxPending %d",
			o.Interval, o.Overlap, o.MaxPending)
	}
	p := &Poller{
		client: c, handler: h, checkpoint: cp,
		interval:   cmp.Or(o.Interval, DefaultPollInterval),
		overlap:    cmp.Or(o.Overlap, DefaultPollOverlap),
		maxPending: cmp.Or(o.MaxPending, DefaultMaxPending),
		start:      o.Start,
		logger:     o.Logger,
		now:        time.Now,
		newTicker:  newTicker,
	}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

func newTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// checkpointError marks a failure to load or save the checkpoint, which
// ends Run.
type checkpointError struct{ err error }

func (e *checkpointError) Error() string { return e.err.Error() }
func (e *checkpointError) Unwrap() error { return e.err }

// wrapCheckpointError marks err from a [Checkpoint] as a checkpoint error.
// An error of [FileCheckpoint] already names the operation, so it is
// returned as it is; any other error gets "copilot: <op> poll checkpoint".
func wrapCheckpointError(op string, err error) error {
	var cpErr *checkpointError
	if errors.As(err, &cpErr) {
		return err
	}
	return &checkpointError{fmt.Errorf("copilot: %s poll checkpoint: %w", op, err)}
}

// Run polls until ctx ends: one pass at once, then one per interval. A
// failed pass is logged and the next tick tries again, except when the
// credentials are rejected ([ErrUnauthorized]) or the checkpoint cannot be
// loaded or saved: then Run returns that error. When ctx ends, Run returns
// ctx.Err() after the current handler call returns.
func (p *Poller) Run(ctx context.Context) error {
	ticks, stop := p.newTicker(p.interval)
	defer stop()
	for {
		err := p.Poll(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			var cpErr *checkpointError
			if errors.Is(err, ErrUnauthorized) || errors.As(err, &cpErr) {
				return err
			}
			p.logger.LogAttrs(ctx, slog.LevelError, "copilot: poll failed; retrying at the next interval",
				slog.String("error", err.Error()))
		}
		if p.passDone != nil {
			p.passDone(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticks:
		}
	}
}

// Poll runs one pass: it lists the calls modified since the watermark and
// emits their events. It returns the first listing, handler or checkpoint
// error; the events handled before it stay recorded.
func (p *Poller) Poll(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, err := p.loadState(ctx)
	if err != nil {
		return err
	}
	opts := ListCallsOptions{
		ModifiedGt:     st.Watermark.Add(-p.overlap),
		SortProcessed:  SortAsc,
		Limit:          MaxLimit,
		OmitPagination: true,
	}
	advanced := false
	for call, err := range p.client.AllCalls(ctx, &opts) {
		if err != nil {
			return err
		}
		moved, err := p.handleCall(ctx, st, call)
		if err != nil {
			return err
		}
		advanced = advanced || moved
	}
	if p.prune(st) || advanced {
		return p.save(ctx, st)
	}
	return nil
}

func (p *Poller) loadState(ctx context.Context) (*PollState, error) {
	if p.state != nil {
		return p.state, nil
	}
	st, err := p.checkpoint.Load(ctx)
	if err != nil {
		return nil, wrapCheckpointError("loading", err)
	}
	if st.Watermark.IsZero() {
		st.Watermark = p.start
		if st.Watermark.IsZero() {
			st.Watermark = p.now().UTC()
		}
		if err := p.checkpoint.Save(ctx, st); err != nil {
			return nil, wrapCheckpointError("saving", err)
		}
	}
	if st.Recent == nil {
		st.Recent = make(map[string]time.Time)
	}
	p.state = &st
	return p.state, nil
}

func (p *Poller) save(ctx context.Context, st *PollState) error {
	if err := p.checkpoint.Save(ctx, *st); err != nil {
		return wrapCheckpointError("saving", err)
	}
	return nil
}
