package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a [Store] that keeps everything in memory, for tests and
// for programs that need no persistence. The zero value is not usable; call
// [NewMemoryStore]. A MemoryStore is safe for concurrent use.
type MemoryStore struct {
	mu        sync.Mutex
	snapshots map[string]memorySnapshot // by id
	streams   map[string]*memoryStream  // by Key.canonical
}

type memorySnapshot struct {
	meta Meta
	body []byte
}

type memoryStream struct {
	head    string
	pending string
	ids     []string
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		snapshots: make(map[string]memorySnapshot),
		streams:   make(map[string]*memoryStream),
	}
}

// stream returns the stream of k, creating it when create is set; the
// caller holds s.mu.
func (s *MemoryStore) stream(k Key, create bool) *memoryStream {
	st := s.streams[k.canonical()]
	if st == nil && create {
		st = &memoryStream{}
		s.streams[k.canonical()] = st
	}
	return st
}

// Put implements [Store.Put].
func (s *MemoryStore) Put(ctx context.Context, m Meta, r io.Reader) (Meta, error) {
	if err := ctx.Err(); err != nil {
		return Meta{}, err
	}
	m, err := prepareMeta(m, time.Now)
	if err != nil {
		return Meta{}, err
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return Meta{}, fmt.Errorf("snapshot: read body of %q: %w", m.ID, err)
	}
	sum := sha256.Sum256(body)
	if m, err = completeMeta(m, hex.EncodeToString(sum[:]), int64(len(body))); err != nil {
		return Meta{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.snapshots[m.ID]; ok {
		return Meta{}, fmt.Errorf("%w: %q; use a new id", ErrExists, m.ID)
	}
	s.snapshots[m.ID] = memorySnapshot{meta: m, body: body}
	st := s.stream(m.Key, true)
	st.ids = append(st.ids, m.ID)
	return m, nil
}

// Get implements [Store.Get].
func (s *MemoryStore) Get(ctx context.Context, id string) (Meta, []byte, error) {
	if err := ctx.Err(); err != nil {
		return Meta{}, nil, err
	}
	if err := ValidateID(id); err != nil {
		return Meta{}, nil, err
	}
	s.mu.Lock()
	sn, ok := s.snapshots[id]
	s.mu.Unlock()
	if !ok {
		return Meta{}, nil, fmt.Errorf("%w: snapshot %q", ErrNotFound, id)
	}
	return sn.meta, bytes.Clone(sn.body), nil
}

// View implements [Viewer]. Unlike Get, it lends the stored body without
// copying it, because nothing in the store modifies a body after Put and
// fn must not modify it either. fn runs without the store's lock held, so
// it may call other methods of s.
func (s *MemoryStore) View(ctx context.Context, id string, fn func(m Meta, body []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateID(id); err != nil {
		return err
	}
	s.mu.Lock()
	sn, ok := s.snapshots[id]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: snapshot %q", ErrNotFound, id)
	}
	// The full slice expression caps the body at its length, so that an
	// append in fn copies instead of writing into the store's array.
	return fn(sn.meta, sn.body[:len(sn.body):len(sn.body)])
}

// Head implements [Store.Head].
func (s *MemoryStore) Head(ctx context.Context, k Key) (Meta, error) {
	if err := checkCall(ctx, k); err != nil {
		return Meta{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stream(k, false)
	if st == nil || st.head == "" {
		return Meta{}, fmt.Errorf("%w: no head for stream %s", ErrNotFound, k)
	}
	return s.snapshots[st.head].meta, nil
}

// Advance implements [Store.Advance].
func (s *MemoryStore) Advance(ctx context.Context, k Key, expected, id string) error {
	if err := checkCall(ctx, k); err != nil {
		return err
	}
	if err := ValidateID(id); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stream(k, false)
	if st == nil || !slices.Contains(st.ids, id) {
		return fmt.Errorf("%w: no snapshot %q in stream %s; Put it under this key first",
			ErrNotFound, id, k)
	}
	if st.head == id {
		return nil
	}
	if st.head != expected {
		return &ConflictError{Key: k, Expected: expected, Actual: st.head}
	}
	st.head = id
	return nil
}

// List implements [Store.List].
func (s *MemoryStore) List(ctx context.Context, k Key) ([]Meta, error) {
	if err := checkCall(ctx, k); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listLocked(k), nil
}

func (s *MemoryStore) listLocked(k Key) []Meta {
	st := s.stream(k, false)
	if st == nil {
		return []Meta{}
	}
	metas := make([]Meta, 0, len(st.ids))
	for _, id := range st.ids {
		metas = append(metas, s.snapshots[id].meta)
	}
	sortNewestFirst(metas)
	return metas
}

// Prune implements [Store.Prune].
func (s *MemoryStore) Prune(ctx context.Context, k Key, r Retention) ([]string, error) {
	if err := checkCall(ctx, k); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stream(k, false)
	if st == nil {
		return []string{}, nil
	}
	parent := ""
	if st.head != "" {
		parent = s.snapshots[st.head].meta.ParentID
	}
	doomed := pruneCandidates(s.listLocked(k), r, st.head, parent)
	for _, id := range doomed {
		delete(s.snapshots, id)
		st.ids = slices.DeleteFunc(st.ids, func(x string) bool { return x == id })
	}
	return doomed, nil
}

// SetPending implements [Store.SetPending].
func (s *MemoryStore) SetPending(ctx context.Context, k Key, jobID string) error {
	if err := checkCall(ctx, k); err != nil {
		return err
	}
	if err := validatePendingJobID(jobID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream(k, true).pending = jobID
	return nil
}

// Pending implements [Store.Pending].
func (s *MemoryStore) Pending(ctx context.Context, k Key) (string, error) {
	if err := checkCall(ctx, k); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stream(k, false); st != nil {
		return st.pending, nil
	}
	return "", nil
}
