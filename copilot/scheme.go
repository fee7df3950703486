package copilot

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// MaxDeliveryIDLength is the maximum length in bytes of a delivery id. A
// longer id is rejected with [ErrDeliveryID], which bounds the memory that
// each entry of a [ReplayCache] takes.
const MaxDeliveryIDLength = 256

// maxSignatureHeaderLength is the maximum length in bytes of a Standard
// Webhooks signature header. Each entry is decoded and compared once per
// secret, so without a limit a forged header of the 1 MiB that net/http
// accepts by default costs more CPU time than the MAC of a 1 MiB body. An
// entry of version v1 takes 47 bytes, so the limit leaves room for about
// 85 of them.
const maxSignatureHeaderLength = 4096

// maxUnixSeconds is the last second of the year 9999, the latest
// timestamp accepted. Later values are no real send time, and those near
// the int64 maximum overflow time.Time and read as dates in the past.
const maxUnixSeconds = 253402300799

// Header names of the two built-in schemes, in canonical form.
const (
	HeaderWebhookID        = "Webhook-Id"
	HeaderWebhookTimestamp = "Webhook-Timestamp"
	HeaderWebhookSignature = "Webhook-Signature"
	HeaderHubSignature256  = "X-Hub-Signature-256"
	HeaderGitHubDelivery   = "X-Github-Delivery"
)

// Scheme is an HMAC-SHA256 webhook signing scheme: the headers that carry a
// delivery's id, timestamp and signatures, and the bytes that are signed. A
// [Verifier] computes HMAC-SHA256 over AppendSigned's bytes followed by the
// raw body, once per secret, and calls Match to compare the result with the
// delivery's signatures.
//
// [StandardWebhooks] and [GitHub] implement Scheme.
type Scheme interface {
	// Name returns a short name for logs, such as "standard-webhooks".
	Name() string

	// Parse reads a delivery's id, timestamp and signatures from h. It
	// returns an error matching [ErrNoSignature], [ErrDeliveryID] or
	// [ErrTimestamp] when a header is missing or malformed.
	Parse(h http.Header) (Delivery, error)

	// AppendSigned appends to dst the bytes signed before the body.
	AppendSigned(dst []byte, d Delivery) []byte

	// Match reports whether one of d's signatures equals sum, the MAC of
	// the signed bytes under one secret. It must compare in constant time.
	Match(d Delivery, sum []byte) bool
}

// Delivery is the signed metadata of one webhook delivery, as read by a
// [Scheme] from the request headers.
type Delivery struct {
	// ID is the delivery id, the key for replay protection.
	ID string
	// Timestamp is the signed send time, with a precision of one second.
	// It is the zero time for a scheme that signs no timestamp.
	Timestamp time.Time
	// Signatures is the first value of the signature header, unparsed.
	Signatures string
}

var (
	_ Scheme = StandardWebhooks{}
	_ Scheme = GitHub{}
)

// StandardWebhooks is the Standard Webhooks scheme (version 1.0.0 of the
// specification at https://www.standardwebhooks.com). The signed bytes are
// "id.timestamp.body" with the timestamp in unix seconds. The signature
// header is a space-separated list of "version,signature" entries. Only
// "v1" entries (base64 HMAC-SHA256) are checked. Other versions are
// ignored, so a header with only unknown versions has no signature. A
// signature header longer than 4096 bytes is rejected with
// [ErrNoSignature], and a timestamp before 1970 or after 9999 with
// [ErrTimestamp].
//
// The zero value reads the webhook-id, webhook-timestamp and
// webhook-signature headers. Set the fields to read other names, such as
// svix-id, svix-timestamp and svix-signature. Names in canonical form
// ([textproto.CanonicalMIMEHeaderKey]) avoid an allocation per header.
type StandardWebhooks struct {
	IDHeader        string // default [HeaderWebhookID]
	TimestampHeader string // default [HeaderWebhookTimestamp]
	SignatureHeader string // default [HeaderWebhookSignature]
}

// Name returns "standard-webhooks".
func (StandardWebhooks) Name() string { return "standard-webhooks" }

// Parse reads the id, timestamp and signature headers.
func (s StandardWebhooks) Parse(h http.Header) (Delivery, error) {
	sigName := headerName(s.SignatureHeader, HeaderWebhookSignature)
	sigs := headerValue(h, sigName)
	if len(sigs) > maxSignatureHeaderLength {
		return Delivery{}, fmt.Errorf("%w: header %s is %d bytes long, more than %d",
			ErrNoSignature, sigName, len(sigs), maxSignatureHeaderLength)
	}
	if !hasVersion(sigs, "v1") {
		return Delivery{}, fmt.Errorf("%w: header %s has no v1 entry", ErrNoSignature, sigName)
	}
	id, err := parseID(h, headerName(s.IDHeader, HeaderWebhookID))
	if err != nil {
		return Delivery{}, err
	}
	tsName := headerName(s.TimestampHeader, HeaderWebhookTimestamp)
	raw := headerValue(h, tsName)
	if raw == "" {
		return Delivery{}, fmt.Errorf("%w: header %s is missing", ErrTimestamp, tsName)
	}
	// A negative time would also let through -62135596800, which
	// time.Unix maps to the zero time, the mark of a scheme without a
	// timestamp, so the window would not be checked.
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || sec < 0 || sec > maxUnixSeconds {
		return Delivery{}, fmt.Errorf("%w: header %s is %q, not unix seconds between 1970 and 9999",
			ErrTimestamp, tsName, clip(raw))
	}
	return Delivery{ID: id, Timestamp: time.Unix(sec, 0), Signatures: sigs}, nil
}

// AppendSigned appends "id.timestamp." to dst.
func (StandardWebhooks) AppendSigned(dst []byte, d Delivery) []byte {
	dst = append(dst, d.ID...)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, d.Timestamp.Unix(), 10)
	return append(dst, '.')
}

// Match reports whether one of the "v1," entries of d.Signatures is the
// base64 encoding of sum.
func (StandardWebhooks) Match(d Delivery, sum []byte) bool {
	// Encoding sum once costs less than decoding each entry. Only the
	// canonical padded encoding of a MAC matches, so that exactly one
	// signature string matches each MAC. Copying an entry into a stack
	// buffer lets hmac.Equal compare it without an allocation.
	var want [base64Len]byte
	if base64.StdEncoding.EncodedLen(len(sum)) != base64Len {
		return false
	}
	base64.StdEncoding.Encode(want[:], sum)
	var got [base64Len]byte
	matched := false
	for rest := d.Signatures; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, " ")
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" || len(sig) != base64Len {
			continue
		}
		copy(got[:], sig)
		if hmac.Equal(got[:], want[:]) {
			matched = true
		}
	}
	return matched
}

// base64Len is the length of a base64-encoded HMAC-SHA256.
const base64Len = 44

// GitHub is the scheme of GitHub webhooks: the header X-Hub-Signature-256
// contains "sha256=" and the hex HMAC-SHA256 of the body alone. GitHub
// signs no timestamp, so a [Verifier] checks no time window and replay
// protection rests on the delivery id alone.
//
// NOTE: the webhook handler keeps such an id for the verifier's tolerance
// only, so a copy replayed later than that is handled again.
//
// The zero value reads X-Hub-Signature-256 and X-GitHub-Delivery.
type GitHub struct {
	SignatureHeader string // default [HeaderHubSignature256]
	IDHeader        string // default [HeaderGitHubDelivery]
}

// Name returns "github".
func (GitHub) Name() string { return "github" }

// Parse reads the signature and delivery id headers.
func (g GitHub) Parse(h http.Header) (Delivery, error) {
	sigName := headerName(g.SignatureHeader, HeaderHubSignature256)
	sig := headerValue(h, sigName)
	if !strings.HasPrefix(sig, "sha256=") {
		return Delivery{}, fmt.Errorf("%w: header %s has no sha256= value", ErrNoSignature, sigName)
	}
	id, err := parseID(h, headerName(g.IDHeader, HeaderGitHubDelivery))
	if err != nil {
		return Delivery{}, err
	}
	return Delivery{ID: id, Signatures: sig}, nil
}

// AppendSigned returns dst unchanged: GitHub signs the body alone.
func (GitHub) AppendSigned(dst []byte, _ Delivery) []byte { return dst }

// Match reports whether d.Signatures is "sha256=" followed by the hex
// encoding of sum, in either letter case.
func (GitHub) Match(d Delivery, sum []byte) bool {
	var enc [2 * 32]byte
	var dec [32]byte
	sig, ok := strings.CutPrefix(d.Signatures, "sha256=")
	if !ok || len(sig) != len(enc) {
		return false
	}
	copy(enc[:], sig)
	if _, err := hex.Decode(dec[:], enc[:]); err != nil {
		return false
	}
	return hmac.Equal(dec[:], sum)
}

// headerName returns name in canonical form, or def when name is empty.
func headerName(name, def string) string {
	if name == "" {
		return def
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// headerValue returns the first value of header name, which must be in
// canonical form; it is h.Get without the cost of canonicalizing name.
func headerValue(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseID reads the delivery id from header name of h.
func parseID(h http.Header, name string) (string, error) {
	id := headerValue(h, name)
	switch {
	case id == "":
		return "", fmt.Errorf("%w: header %s is missing", ErrDeliveryID, name)
	case len(id) > MaxDeliveryIDLength:
		return "", fmt.Errorf("%w: header %s is %d bytes long, more than %d",
			ErrDeliveryID, name, len(id), MaxDeliveryIDLength)
	}
	return id, nil
}

// hasVersion reports whether the space-separated list sigs has an entry
// of the given version, even one with an empty signature.
func hasVersion(sigs, version string) bool {
	for rest := sigs; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, " ")
		if v, _, ok := strings.Cut(entry, ","); ok && v == version {
			return true
		}
	}
	return false
}

// clip shortens an untrusted header value for an error message.
func clip(s string) string {
	const limit = 40
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
