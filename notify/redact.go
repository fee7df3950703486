package notify

import (
	"errors"
	"net/url"
	"strings"
)

// redactor removes a secret URL from errors. It keeps the scheme and host,
// which help to diagnose a failure, and hides the path and query, which
// carry the secret of a Slack webhook.
type redactor struct {
	safe    string   // the URL as it may be shown
	secrets []string // substrings that must not be shown
}

func newRedactor(u *url.URL, raw string) *redactor {
	r := &redactor{safe: u.Scheme + "://" + u.Host + "/[redacted]"}
	for _, s := range []string{raw, u.Path, strings.TrimPrefix(u.Path, "/"), u.EscapedPath(), u.RawQuery, u.User.String()} {
		if len(s) >= 2 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// redactedError is an error whose message had a secret removed. It keeps
// the Timeout result of the original error.
type redactedError struct {
	msg     string
	timeout bool
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Timeout() bool { return e.timeout }

// error returns err with the URL replaced: a *url.Error at the top gets the
// safe URL, and any other error whose message still holds a secret is
// replaced by a copy of its message with the secret removed.
func (r *redactor) error(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue == err {
		err = &url.Error{Op: ue.Op, URL: r.safe, Err: r.error(ue.Err)}
	}
	msg := err.Error()
	clean := r.string(msg)
	if clean == msg {
		return err
	}
	var te interface{ Timeout() bool }
	return &redactedError{msg: clean, timeout: errors.As(err, &te) && te.Timeout()}
}

// string replaces every secret in s.
func (r *redactor) string(s string) string {
	for _, secret := range r.secrets {
		if secret == r.secrets[0] {
			s = strings.ReplaceAll(s, secret, r.safe)
			continue
		}
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}
