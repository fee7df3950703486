package snapshot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
	"github.com/clariwatch/clariwatch/snapshot/snapshottest"
)

// getOnlyStore hides the View method of the store it embeds, because its
// embedded field has the interface type snapshot.Store, and counts calls
// of Get.
type getOnlyStore struct {
	snapshot.Store
	gets int
}

func (s *getOnlyStore) Get(ctx context.Context, id string) (snapshot.Meta, []byte, error) {
	s.gets++
	return s.Store.Get(ctx, id)
}

func TestViewFallsBackToGet(t *testing.T) {
	s := &getOnlyStore{Store: snapshot.NewMemoryStore()}
	if _, ok := any(s).(snapshot.Viewer); ok {
		t.Fatal("getOnlyStore implements snapshot.Viewer; the test needs a store without View")
	}
	const body = `{"rows":[1]}`
	m, err := s.Put(t.Context(), snapshot.Meta{Key: snapshottest.Key("fc"), RowCount: 1}, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}

	calls := 0
	err = snapshot.View(t.Context(), s, m.ID, func(got snapshot.Meta, data []byte) error {
		calls++
		if got != m {
			t.Errorf("View Meta = %+v, want %+v", got, m)
		}
		if string(data) != body {
			t.Errorf("View body = %q, want %q", data, body)
		}
		return nil
	})
	if err != nil {
		t.Errorf("View error: %v", err)
	}
	if calls != 1 {
		t.Errorf("View called fn %d times, want 1", calls)
	}
	if s.gets != 1 {
		t.Errorf("View called Get %d times, want 1", s.gets)
	}

	want := errors.New("callback failed")
	err = snapshot.View(t.Context(), s, m.ID, func(snapshot.Meta, []byte) error { return want })
	if err != want {
		t.Errorf("View error = %v, want the callback's error unchanged", err)
	}

	err = snapshot.View(t.Context(), s, "no-such-id", failCallback(t))
	if !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("View unknown error = %v, want ErrNotFound", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = snapshot.View(ctx, s, m.ID, failCallback(t))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("View with canceled context error = %v, want context.Canceled", err)
	}
}

// noGetStore fails the test when Get is called, so that a View through it
// must use the embedded store's View.
type noGetStore struct {
	*snapshot.MemoryStore
	t *testing.T
}

func (s noGetStore) Get(context.Context, string) (snapshot.Meta, []byte, error) {
	s.t.Error("View called Get on a store that implements snapshot.Viewer")
	return snapshot.Meta{}, nil, errors.New("Get called")
}

func TestViewUsesViewer(t *testing.T) {
	s := noGetStore{snapshot.NewMemoryStore(), t}
	m, err := s.Put(t.Context(), snapshot.Meta{Key: snapshottest.Key("fc")}, strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	err = snapshot.View(t.Context(), s, m.ID, func(_ snapshot.Meta, data []byte) error {
		calls++
		if string(data) != "body" {
			t.Errorf("View body = %q, want %q", data, "body")
		}
		return nil
	})
	if err != nil {
		t.Errorf("View error: %v", err)
	}
	if calls != 1 {
		t.Errorf("View called fn %d times, want 1", calls)
	}
}

// failCallback returns a View callback that fails the test when it runs.
func failCallback(t *testing.T) func(snapshot.Meta, []byte) error {
	return func(m snapshot.Meta, _ []byte) error {
		t.Errorf("View called fn with snapshot %q", m.ID)
		return nil
	}
}

func TestMemoryViewBodyCapped(t *testing.T) {
	ctx := context.Background()
	s := snapshot.NewMemoryStore()
	k := snapshot.Key{ForecastID: "f", TimePeriod: "Q1"}
	m, err := s.Put(ctx, snapshot.Meta{Key: k}, strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, m.ID, func(_ snapshot.Meta, body []byte) error {
		if cap(body) != len(body) {
			t.Errorf("View lends a body of len %d and cap %d; an append in fn would write into the store", len(body), cap(body))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
