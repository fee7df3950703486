package copilot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

var (
	// ErrNotFound matches an [APIError] with status 404, such as a call id
	// that /call-details does not know, or a subscription that does not
	// exist.
	ErrNotFound = errors.New("copilot: not found")

	// ErrUnauthorized matches an [APIError] with status 401 or 403: the
	// credentials or the token were rejected.
	ErrUnauthorized = errors.New("copilot: unauthorized")

	// ErrBudgetExhausted is returned, wrapped, when the weekly request budget
	// set by [WithWeeklyBudget] is spent. No request was sent.
	ErrBudgetExhausted = errors.New("copilot: weekly request budget exhausted")
)

// maxErrorBody is the number of bytes of an error response that are read.
const maxErrorBody = 1 << 20

// APIError is a response with a status other than 2xx, after retries.
// Message is the "message" or "error" field of a JSON body, or else the body
// text, read up to 1 MiB, with any credential of the client replaced by
// "[REDACTED]" and invalid UTF-8 replaced by U+FFFD.
type APIError struct {
	StatusCode int
	Message    string
}

// Error returns the status and at most 200 bytes of the message.
func (e *APIError) Error() string {
	msg := e.Message
	if len(msg) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	if msg == "" {
		return fmt.Sprintf("copilot: HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	return fmt.Sprintf("copilot: HTTP %d: %s", e.StatusCode, msg)
}

// Is reports whether target is [ErrNotFound] for a 404, or
// [ErrUnauthorized] for a 401 or 403.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	}
	return false
}

// newAPIError reads at most 1 MiB of the body of resp.
func newAPIError(resp *http.Response, secrets []string) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := strings.TrimSpace(string(body))
	var fields struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(body, &fields) == nil {
		switch {
		case fields.Message != "":
			msg = fields.Message
		case fields.Error != "":
			msg = fields.Error
		}
	}
	// Redact before replacing invalid bytes, so that a secret next to an
	// invalid byte is still matched as the client sent it.
	msg = strings.ToValidUTF8(redact(msg, secrets), "\uFFFD")
	return &APIError{StatusCode: resp.StatusCode, Message: msg}
}

// redact replaces each non-empty secret in s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}
