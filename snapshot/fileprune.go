package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// List implements [Store.List]. It checks each snapshot's metadata and file
// size, but not the digests of the bodies. A snapshot that fails the check
// returns an error matching ErrCorrupt that names it.
func (s *FileStore) List(ctx context.Context, k Key) ([]Meta, error) {
	if err := checkCall(ctx, k); err != nil {
		return nil, err
	}
	dir := streamPath(k, snapshotsDir)
	entries, err := s.readDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []Meta{}, nil
	}
	if err != nil {
		return nil, err
	}
	metas := make([]Meta, 0, len(entries))
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), snapshotExt)
		if !ok || ValidateID(id) != nil {
			continue
		}
		m, err := s.openMeta(k, id)
		if errors.Is(err, ErrNotFound) {
			continue // pruned meanwhile
		}
		if err != nil {
			return nil, err
		}
		metas = append(metas, m)
	}
	sortNewestFirst(metas)
	return metas, nil
}

// Prune implements [Store.Prune]. It also removes the stream's temporary
// files older than FileOptions.TempMaxAge. It holds the stream lock, so it
// never removes a snapshot that a concurrent Advance is moving the head to.
func (s *FileStore) Prune(ctx context.Context, k Key, r Retention) ([]string, error) {
	if err := checkCall(ctx, k); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	if ok, err := s.streamExists(k); err != nil || !ok {
		return []string{}, err
	}
	unlock, err := s.lock(ctx, k)
	if err != nil {
		return nil, err
	}
	defer unlock()

	head, parent, err := s.headAndParent(ctx, k)
	if err != nil {
		return nil, err
	}
	metas, err := s.List(ctx, k)
	if err != nil {
		return nil, err
	}
	doomed := pruneCandidates(metas, r, head, parent)
	for i, id := range doomed {
		if err := s.root.Remove(snapshotPath(k, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return doomed[:i], fmt.Errorf("snapshot: remove snapshot %q: %w", id, err)
		}
	}
	if len(doomed) > 0 {
		if err := syncDir(s.root, streamPath(k, snapshotsDir)); err != nil {
			return doomed, fmt.Errorf("snapshot: sync directory of stream %s: %w", k, err)
		}
	}
	s.sweep(streamPath(k))
	s.sweep(streamPath(k, snapshotsDir))
	return doomed, nil
}

// headAndParent returns the head id and its ParentID, "" when absent.
func (s *FileStore) headAndParent(ctx context.Context, k Key) (string, string, error) {
	m, err := s.Head(ctx, k)
	if errors.Is(err, ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	return m.ID, m.ParentID, nil
}

// sweepAll removes stale temporary files in every stream.
func (s *FileStore) sweepAll(ctx context.Context) error {
	streams, err := s.readDir(streamsDir)
	if err != nil {
		return err
	}
	for _, st := range streams {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.sweep(path.Join(streamsDir, st.Name()))
		s.sweep(path.Join(streamsDir, st.Name(), snapshotsDir))
	}
	return nil
}

// sweep removes temporary files in dir older than s.tempAge. Failures are
// logged, not returned: a leftover file costs only space.
func (s *FileStore) sweep(dir string) {
	f, err := s.root.Open(dir)
	if err != nil {
		return
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		s.log.Warn("snapshot: list directory for stale temporary files", "dir", s.path(dir), "err", err)
		return
	}
	cutoff := s.now().Add(-s.tempAge)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue
		}
		name := path.Join(dir, e.Name())
		if err := s.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("snapshot: remove stale temporary file", "path", s.path(name), "err", err)
			continue
		}
		s.log.Info("snapshot: removed stale temporary file", "path", s.path(name), "modified", info.ModTime())
	}
}
