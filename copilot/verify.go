package copilot

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Errors returned by [Verifier] and by the handler's [ReplayCache], for
// matching with [errors.Is]. The returned errors wrap them with the header
// name or value at fault; none contains a secret.
var (
	// ErrNoSignature means the signature header is missing, too long, or
	// contains no signature of a version that the scheme checks.
	ErrNoSignature = errors.New("copilot: delivery has no signature")
	// ErrBadSignature means no signature matches the body under any secret:
	// a wrong secret, a changed body, or a body decoded and re-encoded
	// before verification.
	ErrBadSignature = errors.New("copilot: no signature matches the delivery")
	// ErrDeliveryID means the delivery id header is missing or longer than
	// [MaxDeliveryIDLength].
	ErrDeliveryID = errors.New("copilot: missing or invalid delivery id")
	// ErrTimestamp means the timestamp header is missing, malformed or
	// outside the tolerance. [ErrTooOld] and [ErrTooNew] match it too.
	ErrTimestamp = errors.New("copilot: missing or invalid delivery timestamp")
	// ErrTooOld means the signed timestamp is further in the past than the
	// tolerance: a late retry, a replay or a slow clock at the sender.
	ErrTooOld = fmt.Errorf("%w: too old", ErrTimestamp)
	// ErrTooNew means the signed timestamp is further in the future than
	// the tolerance, usually a clock that runs fast at the sender.
	ErrTooNew = fmt.Errorf("%w: too far in the future", ErrTimestamp)
	// ErrTooLarge means the body is longer than the verifier's limit.
	ErrTooLarge = errors.New("copilot: delivery body too large")
	// ErrReplay means a delivery id was already reserved in a
	// [ReplayCache] and not released.
	ErrReplay = errors.New("copilot: delivery id already seen")
	// ErrReplayCacheFull means a [MemoryReplayCache] holds its maximum
	// number of unexpired ids.
	ErrReplayCacheFull = errors.New("copilot: replay cache full")
	// ErrInvalidSecret means a signing secret is empty or malformed.
	ErrInvalidSecret = errors.New("copilot: invalid signing secret")
)

// Defaults of [VerifierOptions].
const (
	DefaultTolerance    = 5 * time.Minute
	DefaultMaxBodyBytes = 1 << 20
)

// VerifierOptions configures a [Verifier]. A nil *VerifierOptions and zero
// fields mean the defaults.
type VerifierOptions struct {
	// Scheme is the signing scheme; nil means [StandardWebhooks].
	Scheme Scheme
	// Tolerance is how far a signed timestamp may be from the current
	// time, in either direction; zero means [DefaultTolerance]. A delivery
	// exactly at the tolerance is accepted. The handler of [NewHandler]
	// keeps the delivery ids of a scheme without a timestamp this long.
	Tolerance time.Duration
	// MaxBodyBytes is the largest body accepted; zero means
	// [DefaultMaxBodyBytes].
	MaxBodyBytes int64
	// Now returns the current time; nil means [time.Now].
	Now func() time.Time
}

// Verifier checks the signature and timestamp of webhook deliveries. It
// accepts a delivery signed with any of its secrets, so that a sender can
// rotate secrets. A Verifier is safe for concurrent use.
type Verifier struct {
	scheme    Scheme
	keys      []*macKey
	tolerance time.Duration
	maxBody   int64
	now       func() time.Time
}

// macKey keeps reusable HMAC states for one secret, so that a verification
// allocates no MAC.
type macKey struct {
	pool sync.Pool // of *macState
}

// macState is an HMAC state with scratch space for the signed prefix and
// the sum.
type macState struct {
	mac    hash.Hash
	prefix []byte
	sum    [sha256.Size]byte
}

// NewVerifier returns a Verifier that accepts deliveries signed with any
// of secrets. The prefix distinguishes the two secret formats. A secret that
// starts with "whsec_" is the Standard Webhooks form: the base64 encoding
// of the key, padded or not, after the prefix. Any other secret is the key
// itself, byte for byte, as GitHub uses it. To use a Standard Webhooks
// secret shown without its prefix, add "whsec_" in front of it.
//
// NewVerifier returns an error matching [ErrInvalidSecret] if secrets is
// empty or one secret is empty or malformed.
func NewVerifier(secrets []string, opts *VerifierOptions) (*Verifier, error) {
	if opts == nil {
		opts = &VerifierOptions{}
	}
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret given; pass at least one", ErrInvalidSecret)
	}
	if opts.Tolerance < 0 || opts.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("copilot: tolerance %v and max body bytes %d must not be negative",
			opts.Tolerance, opts.MaxBodyBytes)
	}
	v := &Verifier{
		scheme:    opts.Scheme,
		tolerance: opts.Tolerance,
		maxBody:   opts.MaxBodyBytes,
		now:       opts.Now,
	}
	if v.scheme == nil {
		v.scheme = StandardWebhooks{}
	}
	if v.tolerance == 0 {
		v.tolerance = DefaultTolerance
	}
	if v.maxBody == 0 {
		v.maxBody = DefaultMaxBodyBytes
	}
	if v.now == nil {
		v.now = time.Now
	}
	for i, s := range secrets {
		key, err := parseSecret(s)
		if err != nil {
			return nil, fmt.Errorf("secret %d of %d: %w", i+1, len(secrets), err)
		}
		v.keys = append(v.keys, newMACKey(key))
	}
	return v, nil
}

func newMACKey(key []byte) *macKey {
	k := &macKey{}
	k.pool.New = func() any {
		return &macState{mac: hmac.New(sha256.New, key)}
	}
	return k
}

// Scheme returns the verifier's signing scheme.
func (v *Verifier) Scheme() Scheme { return v.scheme }

// Verify checks the delivery described by h against body, the raw bytes
// of the request body, and returns its metadata. It checks the body size,
// then the headers, then the signature under each secret, then the
// timestamp window. An error matching [ErrTooOld] or [ErrTooNew] therefore
// means the signature was authentic. Other errors matching [ErrTimestamp]
// mean a missing or malformed header, found before any MAC is computed.
// Verify neither copies body nor checks for replays.
func (v *Verifier) Verify(h http.Header, body []byte) (Delivery, error) {
	if int64(len(body)) > v.maxBody {
		return Delivery{}, fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, len(body), v.maxBody)
	}
	d, err := v.scheme.Parse(h)
	if err != nil {
		return Delivery{}, err
	}
	if !v.match(d, body) {
		return Delivery{}, fmt.Errorf("%w: checked %s signatures under %d secrets",
			ErrBadSignature, v.scheme.Name(), len(v.keys))
	}
	if err := v.checkTime(d.Timestamp); err != nil {
		return d, err
	}
	return d, nil
}

// match reports whether a signature of d matches body under one secret.
func (v *Verifier) match(d Delivery, body []byte) bool {
	for _, k := range v.keys {
		st := k.pool.Get().(*macState)
		st.prefix = v.scheme.AppendSigned(st.prefix[:0], d)
		st.mac.Write(st.prefix)
		st.mac.Write(body)
		ok := v.scheme.Match(d, st.mac.Sum(st.sum[:0]))
		st.mac.Reset()
		k.pool.Put(st)
		if ok {
			return true
		}
	}
	return false
}

// checkTime checks ts against the tolerance around the current time. The
// zero time means the scheme signs no timestamp.
func (v *Verifier) checkTime(ts time.Time) error {
	if ts.IsZero() {
		return nil
	}
	now := v.now()
	switch {
	case ts.Before(now.Add(-v.tolerance)):
		return fmt.Errorf("%w: signed at %s, %s before now; the tolerance is %s",
			ErrTooOld, ts.UTC().Format(time.RFC3339), now.Sub(ts).Round(time.Second), v.tolerance)
	case ts.After(now.Add(v.tolerance)):
		return fmt.Errorf("%w: signed at %s, %s after now; check the sender's clock",
			ErrTooNew, ts.UTC().Format(time.RFC3339), ts.Sub(now).Round(time.Second))
	}
	return nil
}

// maxInitialBodyBuffer is the largest body buffer allocated before any of
// the body has arrived.
const maxInitialBodyBuffer = 64 << 10

// VerifyRequest reads r's body, up to the size limit, and verifies it
// with [Verifier.Verify]. It returns the delivery and the raw body, and
// leaves r.Body drained but open. A body over the limit returns an error
// matching [ErrTooLarge] before any MAC is computed.
func (v *Verifier) VerifyRequest(r *http.Request) (Delivery, []byte, error) {
	body, err := v.readBody(r.Body, r.ContentLength)
	if err != nil {
		return Delivery{}, nil, err
	}
	d, err := v.Verify(r.Header, body)
	if err != nil {
		return Delivery{}, body, err
	}
	return d, body, nil
}

// readBody reads at most maxBody+1 bytes of r, so that a body over the
// limit is detected without reading all of it. A known length up to
// maxInitialBodyBuffer is allocated at once. A longer buffer grows as
// bytes arrive, so that a client that declares a large Content-Length and
// sends nothing holds no more than that.
func (v *Verifier) readBody(r io.Reader, length int64) ([]byte, error) {
	if length > v.maxBody {
		return nil, fmt.Errorf("%w: Content-Length %d is more than %d", ErrTooLarge, length, v.maxBody)
	}
	if r == nil || r == http.NoBody {
		return []byte{}, nil
	}
	size := int64(512)
	if length >= 0 {
		size = min(length+1, maxInitialBodyBuffer) // room to see EOF without growing
	}
	buf := make([]byte, 0, size)
	lr := io.LimitReader(r, v.maxBody+1)
	for {
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("copilot: read delivery body: %w", err)
		}
		if len(buf) == cap(buf) {
			buf = growBody(buf, length, v.maxBody)
		}
	}
	if int64(len(buf)) > v.maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, v.maxBody)
	}
	return buf, nil
}

// growBody doubles the capacity of the full buffer buf, up to the room
// needed for a body of the declared length, or of maxBody+1 bytes when the
// length is unknown, and by at least one byte.
func growBody(buf []byte, length, maxBody int64) []byte {
	want := maxBody + 1
	if length >= 0 {
		want = min(want, length+1)
	}
	extra := min(int64(cap(buf)), want-int64(cap(buf)))
	return slices.Grow(buf, int(max(extra, 1)))
}
