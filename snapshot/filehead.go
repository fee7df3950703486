package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// lock takes the stream's lock, which guards HEAD, PENDING and the set of
// snapshot files, and returns the function that releases it.
func (s *FileStore) lock(ctx context.Context, k Key) (func(), error) {
	name := streamPath(k, lockFileName)
	unlock, err := lockName(ctx, s.root, name)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("snapshot: lock %s: %w", s.path(name), err)
	}
	return unlock, nil
}

// readHead returns the head id of stream k, "" when there is none.
func (s *FileStore) readHead(k Key) (string, error) {
	return s.readSmallFile(streamPath(k, headFile))
}

// readSmallFile returns the trimmed content of name, "" when it is missing.
func (s *FileStore) readSmallFile(name string) (string, error) {
	b, err := s.root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("snapshot: read %s: %w", s.path(name), err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Head implements [Store.Head]. It checks the head snapshot's metadata and
// file size, but not the digest of its body.
func (s *FileStore) Head(ctx context.Context, k Key) (Meta, error) {
	if err := checkCall(ctx, k); err != nil {
		return Meta{}, err
	}
	id, err := s.readHead(k)
	if err != nil {
		return Meta{}, err
	}
	if id == "" {
		return Meta{}, fmt.Errorf("%w: no head for stream %s", ErrNotFound, k)
	}
	if err := ValidateID(id); err != nil {
		return Meta{}, s.corrupt(id, streamPath(k, headFile), "head file holds an invalid id")
	}
	m, err := s.openMeta(k, id)
	if errors.Is(err, ErrNotFound) {
		return Meta{}, s.corrupt(id, snapshotPath(k, id), "the head names this snapshot, but its file is missing")
	}
	return m, err
}

// Advance implements [Store.Advance]. Under the stream lock it reads the
// head, compares it with expected and replaces the head file atomically.
func (s *FileStore) Advance(ctx context.Context, k Key, expected, id string) error {
	if err := checkCall(ctx, k); err != nil {
		return err
	}
	if err := ValidateID(id); err != nil {
		return err
	}
	if ok, err := s.streamExists(k); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: no snapshot %q in stream %s; Put it under this key first", ErrNotFound, id, k)
		}
		return err
	}
	unlock, err := s.lock(ctx, k)
	if err != nil {
		return err
	}
	defer unlock()

	if _, err := s.openMeta(k, id); err != nil {
		return err
	}
	head, err := s.readHead(k)
	if err != nil {
		return err
	}
	if head == id {
		return nil
	}
	if head != expected {
		return &ConflictError{Key: k, Expected: expected, Actual: head}
	}
	return s.writeFileAtomic(streamPath(k, headFile), []byte(id+"\n"))
}

// SetPending implements [Store.SetPending].
func (s *FileStore) SetPending(ctx context.Context, k Key, jobID string) error {
	if err := checkCall(ctx, k); err != nil {
		return err
	}
	if err := validatePendingJobID(jobID); err != nil {
		return err
	}
	if err := s.ensureStream(k); err != nil {
		return err
	}
	unlock, err := s.lock(ctx, k)
	if err != nil {
		return err
	}
	defer unlock()

	name := streamPath(k, pendingFile)
	if jobID != "" {
		return s.writeFileAtomic(name, []byte(jobID+"\n"))
	}
	if err := s.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("snapshot: remove %s: %w", s.path(name), err)
	}
	return nil
}

// Pending implements [Store.Pending].
func (s *FileStore) Pending(ctx context.Context, k Key) (string, error) {
	if err := checkCall(ctx, k); err != nil {
		return "", err
	}
	return s.readSmallFile(streamPath(k, pendingFile))
}
