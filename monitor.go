package clariwatch

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// DefaultKeepSnapshots is the number of snapshots per stream that a
// [Monitor] keeps when Config.Keep is zero: a week of ticks every 4 hours.
const DefaultKeepSnapshots = 42

// DefaultMaxMissingOwners is the share of the head snapshot's owners that
// an export may lack before a [Monitor] rejects it as partial.
const DefaultMaxMissingOwners = 0.5

// Config configures [NewMonitor]. Source and Store are required; a zero
// value of any other field means its default.
type Config struct {
	// Source produces the exports.
	Source Source
	// Store keeps the snapshots and each stream's head. The reader that
	// Put gets may read a mapped export file, so Put must not read it
	// after it returns.
	Store snapshot.Store
	// Locker serialises the ticks of one stream. Nil means the Store when
	// it implements Locker (as *snapshot.FileStore does, across
	// processes), else a lock inside this process only.
	Locker Locker
	// Notifier sends the alerts. Nil reports only: the tick still stores
	// the snapshot and advances the head.
	Notifier notify.Notifier
	// Diff sets the thresholds. Nil means the defaults of diff.Compute:
	// 10 % and no minimum change.
	Diff *diff.Options
	// Render sets how many changes a message lists and its labels. Its
	// Key and Baseline fields are set by the tick, and an empty Currency
	// becomes the requested one, else the currency of the export's entries.
	Render notify.RenderOptions

	// ForecastID, Period, Scope, Currency and Types are the request; with
	// the export's own period when Period is empty, they form the stream's
	// [snapshot.Key]. ForecastID is required.
	ForecastID string
	Period     string
	Scope      string
	Currency   string
	Types      []string

	// MaxMissingOwners is the share, above 0 and at most 1, of the head
	// snapshot's owners that an export may lack. An export that lacks more
	// fails with a *SuspiciousExportError. Zero means
	// DefaultMaxMissingOwners, and 1 turns the check off.
	MaxMissingOwners float64
	// Keep is the number of snapshots per stream kept after the head
	// moves; older ones are pruned, never the head or its parent. Zero
	// means DefaultKeepSnapshots, and a negative value keeps every
	// snapshot.
	Keep int
	// CacheDir, when set, is a directory for data derived from snapshots
	// that the next tick would otherwise compute again. It holds the
	// sorted order of the rows of a per-owner export, 4 bytes per row,
	// for the head and the newest snapshot of each stream. The monitor checks the data
	// before it uses it and ignores a cache that is missing, damaged or
	// from another version, so the directory may be deleted at any time.
	// Give each store a directory of its own: a tick removes the order
	// files of its stream that are not its store's head or newest
	// snapshot. Empty means no cache.
	CacheDir string
	// Logger receives one record per step. Nil logs nothing.
	Logger *slog.Logger
	// Now stamps snapshots. Nil means time.Now.
	Now func() time.Time
	// DryRun fetches and compares but writes nothing to the store and
	// sends no notification.
	DryRun bool
}

// Monitor runs monitoring ticks: fetch an export, store it as a snapshot,
// compare it with the stream's head, notify, advance the head. A Monitor is
// safe for concurrent use; ticks of one stream take turns through the
// Locker.
type Monitor struct {
	cfg    Config
	locker Locker
	log    *slog.Logger
}

// NewMonitor checks cfg and returns a Monitor.
func NewMonitor(cfg Config) (*Monitor, error) {
	switch {
	case cfg.Source == nil:
		return nil, errors.New("clariwatch: Config.Source is nil; set a ClariSource or FileSource")
	case cfg.Store == nil:
		return nil, errors.New("clariwatch: Config.Store is nil; set a snapshot.FileStore or MemoryStore")
	case cfg.ForecastID == "":
		return nil, errors.New("clariwatch: Config.ForecastID is empty; set the forecast id, such as net_bookings")
	case !(cfg.MaxMissingOwners >= 0 && cfg.MaxMissingOwners <= 1):
		// Written so that NaN, which fails every comparison, is rejected.
		return nil, fmt.Errorf("clariwatch: Config.MaxMissingOwners %v is outside 0 to 1; set a share such as 0.5", cfg.MaxMissingOwners)
	}
	if err := requestKey(cfg).Validate(); err != nil {
		return nil, fmt.Errorf("clariwatch: invalid stream: %w", err)
	}
	if cfg.Keep == 0 {
		cfg.Keep = DefaultKeepSnapshots
	}
	if cfg.MaxMissingOwners == 0 {
		cfg.MaxMissingOwners = DefaultMaxMissingOwners
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Monitor{cfg: cfg, locker: cfg.Locker, log: cfg.Logger}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.locker == nil {
		if l, ok := cfg.Store.(Locker); ok {
			m.locker = l
		} else {
			m.locker = newMemoryLocker()
		}
	}
	return m, nil
}

// requestKey is the key of the request: the stream key before the export
// fills in an empty period or currency. Pending job ids are kept under it.
func requestKey(cfg Config) snapshot.Key {
	return snapshot.Key{
		ForecastID: cfg.ForecastID,
		TimePeriod: cfg.Period,
		Scope:      cfg.Scope,
		Currency:   cfg.Currency,
		Types:      strings.Join(cfg.Types, ","),
	}
}
