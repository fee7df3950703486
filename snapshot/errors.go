package snapshot

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Errors that callers match with [errors.Is].
var (
	// ErrNotFound reports a missing snapshot, or a stream without a head.
	ErrNotFound = errors.New("snapshot: not found")
	// ErrConflict reports that the head was not the expected id when
	// Advance ran, because another run moved it first.
	ErrConflict = errors.New("snapshot: head moved")
	// ErrCorrupt reports a stored snapshot whose bytes fail the size or
	// checksum check, or whose metadata cannot be read.
	ErrCorrupt = errors.New("snapshot: corrupt snapshot")
	// ErrExists reports a Put with an id that is already stored.
	ErrExists = errors.New("snapshot: id already exists")
	// ErrInvalidKey reports a Key that breaks the rules of [Key.Validate].
	ErrInvalidKey = errors.New("snapshot: invalid key")
	// ErrInvalidID reports a snapshot id that breaks the rules of
	// [ValidateID].
	ErrInvalidID = errors.New("snapshot: invalid id")
)

// ConflictError is the error Advance returns when the head moved. It
// matches [ErrConflict].
type ConflictError struct {
	Key Key
	// Expected is the head id the caller passed, "" for no head.
	Expected string
	// Actual is the head id found, "" for no head.
	Actual string
}

// Error returns a message with the key and both head ids.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("snapshot: head of %s is %s, not the expected %s; "+
		"another run advanced it, so read the new head and compare again",
		e.Key, quoteCapped(e.Actual), quoteCapped(e.Expected))
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// CorruptError is the error returned for a stored snapshot that fails its
// checks. It matches [ErrCorrupt].
type CorruptError struct {
	// ID is the id of the bad snapshot.
	ID string
	// Path is the file that holds it, empty for stores without files.
	Path string
	// Reason describes the check that failed.
	Reason string
}

// Error returns a message with the id, the path when known and the reason.
func (e *CorruptError) Error() string {
	where := ""
	if e.Path != "" {
		where = " in " + e.Path
	}
	return fmt.Sprintf("snapshot: snapshot %s%s is corrupt: %s; "+
		"restore the file from a backup, or, when it is the head, remove the stream's HEAD file so that "+
		"the next export starts a new baseline",
		quoteCapped(e.ID), where, e.Reason)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// maxQuotedLen is the maximum number of bytes of a stored value that an
// error message quotes. Every valid snapshot id fits.
const maxQuotedLen = MaxIDLen

// quoteCapped returns s as a Go string literal, so that line breaks in a
// damaged file cannot split an error message. When s is longer than
// maxQuotedLen bytes, it quotes only the first ones and appends the length.
func quoteCapped(s string) string {
	if len(s) <= maxQuotedLen {
		return strconv.Quote(s)
	}
	cut := maxQuotedLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
