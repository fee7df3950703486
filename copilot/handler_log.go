package copilot

import (
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// rejectLog logs rejected deliveries at warn, at most one line per
// interval, so that a flood of forged requests cannot flood the log. Each
// line carries the number of rejections left out since the previous line
// and the total so far.
type rejectLog struct {
	log *slog.Logger

	mu         sync.Mutex
	next       time.Time // earliest time of the next line
	suppressed int64
	total      int64
}

// rejectLogInterval is the minimum time between two lines of a rejectLog.
const rejectLogInterval = time.Second

// record counts one rejection and logs it unless a line was written less
// than rejectLogInterval ago. The error names the reason and never the
// secret.
func (l *rejectLog) record(r *http.Request, v *Verifier, status int, err error) {
	now := v.now()
	l.mu.Lock()
	l.total++
	if now.Before(l.next) {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.next = now.Add(rejectLogInterval)
	suppressed, total := l.suppressed, l.total
	l.suppressed = 0
	l.mu.Unlock()

	l.log.WarnContext(r.Context(), "copilot: rejected a delivery",
		"status", status,
		"scheme", v.scheme.Name(),
		"remote_addr", r.RemoteAddr,
		"error", err,
		"suppressed", suppressed,
		"rejected_total", total)
}
