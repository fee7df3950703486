// Package snapshottest is a conformance suite for implementations of
// [snapshot.Store].
package snapshottest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/snapshot"
)

// Run tests the behaviour that every [snapshot.Store] must have. newStore
// returns an empty store; Run calls it once per subtest and closes nothing,
// so newStore should register cleanup with t.Cleanup. The tests of
// [snapshot.Viewer] are skipped for stores that do not implement it.
func Run(t *testing.T, newStore func(t *testing.T) snapshot.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s snapshot.Store)
	}{
		{"HeadOfNewStream", testHeadOfNewStream},
		{"PutGet", testPutGet},
		{"PutKeepsCallerFields", testPutKeepsCallerFields},
		{"PutWrongDigest", testPutWrongDigest},
		{"PutDuplicateID", testPutDuplicateID},
		{"PutInvalidSourceJobID", testPutInvalidSourceJobID},
		{"InvalidKeys", testInvalidKeys},
		{"InvalidIDs", testInvalidIDs},
		{"GetUnknown", testGetUnknown},
		{"AdvanceFirst", testAdvanceFirst},
		{"AdvanceConflict", testAdvanceConflict},
		{"AdvanceRetry", testAdvanceRetry},
		{"AdvanceUnknownID", testAdvanceUnknownID},
		{"AdvanceOtherStream", testAdvanceOtherStream},
		{"ListNewestFirst", testListNewestFirst},
		{"ListEmpty", testListEmpty},
		{"StreamsIsolated", testStreamsIsolated},
		{"PruneKeepsLast", testPruneKeepsLast},
		{"PruneKeepsHeadAndParent", testPruneKeepsHeadAndParent},
		{"PruneInvalidRetention", testPruneInvalidRetention},
		{"Pending", testPending},
		{"ConcurrentAdvance", testConcurrentAdvance},
		{"CanceledContext", testCanceledContext},
		{"EmptyBody", testEmptyBody},
		{"ViewMatchesGet", testViewMatchesGet},
		{"ViewUnknown", testViewUnknown},
		{"ViewInvalidID", testViewInvalidID},
		{"ViewCanceledContext", testViewCanceledContext},
		{"ViewReturnsFnError", testViewReturnsFnError},
		{"ViewDuringPrune", testViewDuringPrune},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

// Key returns a valid key whose forecast id is name.
func Key(name string) snapshot.Key {
	return snapshot.Key{ForecastID: name, TimePeriod: "2026-Q1", Scope: "org", Currency: "USD"}
}

var baseTime = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// put stores body under k, taken i minutes after baseTime.
func put(t *testing.T, s snapshot.Store, k snapshot.Key, i int, body string) snapshot.Meta {
	t.Helper()
	m, err := s.Put(t.Context(), snapshot.Meta{
		Key:      k,
		TakenAt:  baseTime.Add(time.Duration(i) * time.Minute),
		RowCount: i,
	}, strings.NewReader(body))
	if err != nil {
		t.Fatalf("Put(%q) error: %v", body, err)
	}
	return m
}

func advance(t *testing.T, s snapshot.Store, k snapshot.Key, from, to string) {
	t.Helper()
	if err := s.Advance(t.Context(), k, from, to); err != nil {
		t.Fatalf("Advance(%q -> %q) error: %v", from, to, err)
	}
}

func digest(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// diffMeta returns "" when a and b are equal, else a description.
func diffMeta(want, got snapshot.Meta) string {
	if !want.TakenAt.Equal(got.TakenAt) {
		return fmt.Sprintf("TakenAt = %v, want %v", got.TakenAt, want.TakenAt)
	}
	want.TakenAt, got.TakenAt = time.Time{}, time.Time{}
	if want != got {
		return fmt.Sprintf("Meta = %+v, want %+v", got, want)
	}
	return ""
}

func testHeadOfNewStream(t *testing.T, s snapshot.Store) {
	_, err := s.Head(t.Context(), Key("fc"))
	if !errors.Is(err, snapshot.ErrNotFound) {
		t.Fatalf("Head of new stream error = %v, want ErrNotFound", err)
	}
}

func testPutGet(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	body := `{"rows":[1,2,3]}`
	m := put(t, s, k, 1, body)
	if m.ID == "" {
		t.Error("Put returned an empty ID")
	}
	if m.SHA256 != digest(body) {
		t.Errorf("SHA256 = %s, want %s", m.SHA256, digest(body))
	}
	if m.Size != int64(len(body)) {
		t.Errorf("Size = %d, want %d", m.Size, len(body))
	}
	if m.TakenAt.Location() != time.UTC {
		t.Errorf("TakenAt location = %v, want UTC", m.TakenAt.Location())
	}
	got, data, err := s.Get(t.Context(), m.ID)
	if err != nil {
		t.Fatalf("Get error: %v", err)
	}
	if d := diffMeta(m, got); d != "" {
		t.Errorf("Get: %s", d)
	}
	if string(data) != body {
		t.Errorf("Get body = %q, want %q", data, body)
	}
	data[0] = 'X'
	if _, again, _ := s.Get(t.Context(), m.ID); string(again) != body {
		t.Errorf("changing a returned body changed the stored one: %q", again)
	}
}

func testPutKeepsCallerFields(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	k.Types = "commit,best_case"
	taken := time.Date(2026, 2, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	want := snapshot.Meta{
		ID: "custom-id.1", Key: k, TakenAt: taken, SourceJobID: "job-42",
		RowCount: 7, ParentID: "older-id", SHA256: strings.ToUpper(digest("abc")),
	}
	m, err := s.Put(t.Context(), want, strings.NewReader("abc"))
	if err != nil {
		t.Fatalf("Put error: %v", err)
	}
	want.SHA256, want.Size, want.TakenAt = digest("abc"), 3, taken.UTC()
	if d := diffMeta(want, m); d != "" {
		t.Errorf("Put: %s", d)
	}
	if m.TakenAt.Location() != time.UTC {
		t.Errorf("TakenAt location = %v, want UTC", m.TakenAt.Location())
	}
	got, _, err := s.Get(t.Context(), "custom-id.1")
	if err != nil {
		t.Fatalf("Get error: %v", err)
	}
	if d := diffMeta(want, got); d != "" {
		t.Errorf("Get: %s", d)
	}
}

func testPutWrongDigest(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	_, err := s.Put(t.Context(), snapshot.Meta{Key: k, ID: "a", SHA256: digest("other")}, strings.NewReader("abc"))
	if !errors.Is(err, snapshot.ErrCorrupt) {
		t.Errorf("Put with wrong SHA256 error = %v, want ErrCorrupt", err)
	}
	_, err = s.Put(t.Context(), snapshot.Meta{Key: k, ID: "b", Size: 99}, strings.NewReader("abc"))
	if !errors.Is(err, snapshot.ErrCorrupt) {
		t.Errorf("Put with wrong Size error = %v, want ErrCorrupt", err)
	}
	list, err := s.List(t.Context(), k)
	if err != nil {
		t.Fatalf("List error: %v", err)
	}
	if len(list) != 0 {
		t.Errorf("List after rejected Puts has %d snapshots, want 0", len(list))
	}
}

func testPutDuplicateID(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	if _, err := s.Put(t.Context(), snapshot.Meta{Key: k, ID: "dup"}, strings.NewReader("one")); err != nil {
		t.Fatalf("first Put error: %v", err)
	}
	_, err := s.Put(t.Context(), snapshot.Meta{Key: k, ID: "dup"}, strings.NewReader("two"))
	if !errors.Is(err, snapshot.ErrExists) {
		t.Errorf("second Put error = %v, want ErrExists", err)
	}
	if _, body, _ := s.Get(t.Context(), "dup"); string(body) != "one" {
		t.Errorf("body after duplicate Put = %q, want %q", body, "one")
	}
}

// testPutInvalidSourceJobID checks that Put rejects a job id that could
// not be stored and read back unchanged, and stores nothing.
func testPutInvalidSourceJobID(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	for name, job := range map[string]string{
		"too long":      strings.Repeat("j", 70000),
		"invalid UTF-8": "job\xff",
	} {
		t.Run(name, func(t *testing.T) {
			m, err := s.Put(t.Context(), snapshot.Meta{Key: k, SourceJobID: job}, strings.NewReader("x"))
			if err == nil {
				t.Errorf("Put returned no error and stored %q", m.ID)
			}
		})
	}
	if list, err := s.List(t.Context(), k); err != nil || len(list) != 0 {
		t.Errorf("List after rejected Puts = %d snapshots, %v; want none", len(list), err)
	}
	long := strings.Repeat("j", 1024)
	m, err := s.Put(t.Context(), snapshot.Meta{Key: k, SourceJobID: long}, strings.NewReader("x"))
	if err != nil {
		t.Fatalf("Put with a 1024-byte job id error: %v", err)
	}
	if got, _, err := s.Get(t.Context(), m.ID); err != nil || got.SourceJobID != long {
		t.Errorf("Get of 1024-byte job id = %d bytes, %v; want it unchanged", len(got.SourceJobID), err)
	}
}

func testInvalidKeys(t *testing.T, s snapshot.Store) {
	good := Key("fc")
	tests := []struct {
		name string
		edit func(k *snapshot.Key)
	}{
		{"empty forecast", func(k *snapshot.Key) { k.ForecastID = "" }},
		{"dot dot", func(k *snapshot.Key) { k.ForecastID = ".." }},
		{"dot", func(k *snapshot.Key) { k.Scope = "." }},
		{"slash", func(k *snapshot.Key) { k.TimePeriod = "../../etc" }},
		{"backslash", func(k *snapshot.Key) { k.Scope = `a\b` }},
		{"NUL", func(k *snapshot.Key) { k.Currency = "US\x00D" }},
		{"newline", func(k *snapshot.Key) { k.Types = "a\nb" }},
		{"invalid UTF-8", func(k *snapshot.Key) { k.ForecastID = "fc\xff" }},
		{"too long", func(k *snapshot.Key) { k.Scope = strings.Repeat("s", snapshot.MaxKeyPartLen+1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := good
			tt.edit(&k)
			ctx := t.Context()
			if _, err := s.Put(ctx, snapshot.Meta{Key: k}, strings.NewReader("x")); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Errorf("Put error = %v, want ErrInvalidKey", err)
			}
			if _, err := s.Head(ctx, k); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Errorf("Head error = %v, want ErrInvalidKey", err)
			}
			if err := s.Advance(ctx, k, "", "x"); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Errorf("Advance error = %v, want ErrInvalidKey", err)
			}
			if _, err := s.List(ctx, k); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Errorf("List error = %v, want ErrInvalidKey", err)
			}
			if _, err := s.Prune(ctx, k, snapshot.Retention{KeepLast: 1}); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Errorf("Prune error = %v, want ErrInvalidKey", err)
			}
			if err := s.SetPending(ctx, k, "job"); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Errorf("SetPending error = %v, want ErrInvalidKey", err)
			}
			if _, err := s.Pending(ctx, k); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Errorf("Pending error = %v, want ErrInvalidKey", err)
			}
		})
	}
	// Unusual but valid text survives unchanged.
	odd := snapshot.Key{ForecastID: "Fc 1 %2F+ü", TimePeriod: "2026 Q1", Scope: "a..b", Currency: "usd", Types: "*"}
	m := put(t, s, odd, 1, "odd")
	if got, _, err := s.Get(t.Context(), m.ID); err != nil || got.Key != odd {
		t.Errorf("Get of odd key = %+v, %v; want key %+v", got.Key, err, odd)
	}
}

func testInvalidIDs(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	for _, id := range []string{"../x", "a/b", ".hidden", "-x", "a b", strings.Repeat("a", snapshot.MaxIDLen+1)} {
		t.Run(id[:min(len(id), 10)], func(t *testing.T) {
			if _, err := s.Put(t.Context(), snapshot.Meta{Key: k, ID: id}, strings.NewReader("x")); !errors.Is(err, snapshot.ErrInvalidID) {
				t.Errorf("Put(%q) error = %v, want ErrInvalidID", id, err)
			}
			if _, _, err := s.Get(t.Context(), id); !errors.Is(err, snapshot.ErrInvalidID) {
				t.Errorf("Get(%q) error = %v, want ErrInvalidID", id, err)
			}
			if err := s.Advance(t.Context(), k, "", id); !errors.Is(err, snapshot.ErrInvalidID) {
				t.Errorf("Advance(%q) error = %v, want ErrInvalidID", id, err)
			}
		})
	}
}

func testGetUnknown(t *testing.T, s snapshot.Store) {
	put(t, s, Key("fc"), 1, "x")
	_, body, err := s.Get(t.Context(), "no-such-id")
	if !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Get unknown error = %v, want ErrNotFound", err)
	}
	if body != nil {
		t.Errorf("Get unknown body = %q, want nil", body)
	}
}

func testAdvanceFirst(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	m := put(t, s, k, 1, "first")
	advance(t, s, k, "", m.ID)
	head, err := s.Head(t.Context(), k)
	if err != nil {
		t.Fatalf("Head error: %v", err)
	}
	if d := diffMeta(m, head); d != "" {
		t.Errorf("Head: %s", d)
	}
}

func testAdvanceConflict(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	a := put(t, s, k, 1, "a")
	b := put(t, s, k, 2, "b")
	c := put(t, s, k, 3, "c")
	advance(t, s, k, "", a.ID)
	advance(t, s, k, a.ID, b.ID)

	err := s.Advance(t.Context(), k, a.ID, c.ID)
	if !errors.Is(err, snapshot.ErrConflict) {
		t.Fatalf("Advance from stale head error = %v, want ErrConflict", err)
	}
	var ce *snapshot.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *ConflictError", err)
	}
	want := snapshot.ConflictError{Key: k, Expected: a.ID, Actual: b.ID}
	if *ce != want {
		t.Errorf("ConflictError = %+v, want %+v", *ce, want)
	}
	if err := s.Advance(t.Context(), k, "", c.ID); !errors.Is(err, snapshot.ErrConflict) {
		t.Errorf("Advance from no head error = %v, want ErrConflict", err)
	}
	if head, _ := s.Head(t.Context(), k); head.ID != b.ID {
		t.Errorf("head after conflicts = %q, want %q", head.ID, b.ID)
	}
}

func testAdvanceRetry(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	a := put(t, s, k, 1, "a")
	b := put(t, s, k, 2, "b")
	advance(t, s, k, "", a.ID)
	advance(t, s, k, a.ID, b.ID)
	// A retry of the same move finds the head already at b.
	advance(t, s, k, a.ID, b.ID)
	if head, _ := s.Head(t.Context(), k); head.ID != b.ID {
		t.Errorf("head = %q, want %q", head.ID, b.ID)
	}
}

func testAdvanceUnknownID(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	if err := s.Advance(t.Context(), k, "", "missing"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Advance on empty stream error = %v, want ErrNotFound", err)
	}
	put(t, s, k, 1, "a")
	if err := s.Advance(t.Context(), k, "", "missing"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Advance to unknown id error = %v, want ErrNotFound", err)
	}
	if _, err := s.Head(t.Context(), k); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Head after failed Advance error = %v, want ErrNotFound", err)
	}
}

func testAdvanceOtherStream(t *testing.T, s snapshot.Store) {
	k1, k2 := Key("one"), Key("two")
	put(t, s, k1, 1, "a")
	m2 := put(t, s, k2, 2, "b")
	if err := s.Advance(t.Context(), k1, "", m2.ID); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Advance to other stream's snapshot error = %v, want ErrNotFound", err)
	}
}

func testListNewestFirst(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	var want []string
	for _, i := range []int{3, 1, 4, 2, 5} {
		put(t, s, k, i, fmt.Sprint("body", i))
	}
	for i := 5; i >= 1; i-- {
		want = append(want, fmt.Sprint(i))
	}
	list, err := s.List(t.Context(), k)
	if err != nil {
		t.Fatalf("List error: %v", err)
	}
	var got []string
	for _, m := range list {
		got = append(got, fmt.Sprint(m.RowCount))
		if m.SHA256 != digest(fmt.Sprint("body", m.RowCount)) {
			t.Errorf("listed snapshot %q has SHA256 %s, want the digest of its body", m.ID, m.SHA256)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("List order by minute = %v, want %v", got, want)
	}
}

func testListEmpty(t *testing.T, s snapshot.Store) {
	list, err := s.List(t.Context(), Key("none"))
	if err != nil {
		t.Fatalf("List error: %v", err)
	}
	if list == nil || len(list) != 0 {
		t.Errorf("List of empty stream = %#v, want an empty non-nil slice", list)
	}
}

func testStreamsIsolated(t *testing.T, s snapshot.Store) {
	usd := Key("fc")
	eur := usd
	eur.Currency = "EUR"
	lower := usd
	lower.Currency = "usd"
	a := put(t, s, usd, 1, "usd")
	b := put(t, s, eur, 2, "eur")
	c := put(t, s, lower, 3, "lower")
	advance(t, s, usd, "", a.ID)
	for _, tc := range []struct {
		k    snapshot.Key
		want string
	}{{usd, a.ID}, {eur, b.ID}, {lower, c.ID}} {
		list, err := s.List(t.Context(), tc.k)
		if err != nil {
			t.Fatalf("List(%s) error: %v", tc.k, err)
		}
		if len(list) != 1 || list[0].ID != tc.want {
			t.Errorf("List(%s) = %v, want only %q", tc.k, list, tc.want)
		}
	}
	if _, err := s.Head(t.Context(), eur); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Head of other currency error = %v, want ErrNotFound", err)
	}
}

func ids(metas []snapshot.Meta) []string {
	out := []string{}
	for _, m := range metas {
		out = append(out, m.ID)
	}
	return out
}

func testPruneKeepsLast(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	var all []snapshot.Meta
	for i := range 6 {
		all = append(all, put(t, s, k, i, fmt.Sprint("b", i)))
	}
	advance(t, s, k, "", all[5].ID)
	removed, err := s.Prune(t.Context(), k, snapshot.Retention{KeepLast: 2})
	if err != nil {
		t.Fatalf("Prune error: %v", err)
	}
	want := []string{all[3].ID, all[2].ID, all[1].ID, all[0].ID}
	if strings.Join(removed, ",") != strings.Join(want, ",") {
		t.Errorf("Prune removed %v, want %v", removed, want)
	}
	list, _ := s.List(t.Context(), k)
	if got := ids(list); strings.Join(got, ",") != all[5].ID+","+all[4].ID {
		t.Errorf("List after Prune = %v, want the two newest", got)
	}
	if _, _, err := s.Get(t.Context(), all[0].ID); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Get of pruned snapshot error = %v, want ErrNotFound", err)
	}
}

func testPruneKeepsHeadAndParent(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	parent := put(t, s, k, 1, "parent")
	m, err := s.Put(t.Context(), snapshot.Meta{Key: k, TakenAt: baseTime.Add(2 * time.Minute), ParentID: parent.ID},
		strings.NewReader("head"))
	if err != nil {
		t.Fatalf("Put error: %v", err)
	}
	advance(t, s, k, "", m.ID)
	var newer []string
	for i := 3; i < 7; i++ {
		newer = append(newer, put(t, s, k, i, fmt.Sprint("new", i)).ID)
	}
	if _, err := s.Prune(t.Context(), k, snapshot.Retention{KeepLast: 1}); err != nil {
		t.Fatalf("Prune error: %v", err)
	}
	list, _ := s.List(t.Context(), k)
	want := []string{newer[3], m.ID, parent.ID}
	if got := ids(list); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("List after Prune = %v, want newest, head and parent %v", got, want)
	}
	if _, _, err := s.Get(t.Context(), parent.ID); err != nil {
		t.Errorf("Get of head's parent after Prune: %v", err)
	}
}

func testPruneInvalidRetention(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	put(t, s, k, 1, "a")
	for _, keep := range []int{0, -1} {
		if _, err := s.Prune(t.Context(), k, snapshot.Retention{KeepLast: keep}); err == nil {
			t.Errorf("Prune with KeepLast %d returned no error", keep)
		}
	}
	if list, _ := s.List(t.Context(), k); len(list) != 1 {
		t.Errorf("List after rejected Prune has %d snapshots, want 1", len(list))
	}
}

func testPending(t *testing.T, s snapshot.Store) {
	k, other := Key("fc"), Key("other")
	ctx := t.Context()
	if job, err := s.Pending(ctx, k); err != nil || job != "" {
		t.Errorf("Pending of new stream = %q, %v; want empty", job, err)
	}
	if err := s.SetPending(ctx, k, "job-1"); err != nil {
		t.Fatalf("SetPending error: %v", err)
	}
	if job, err := s.Pending(ctx, k); err != nil || job != "job-1" {
		t.Errorf("Pending = %q, %v; want job-1", job, err)
	}
	if job, _ := s.Pending(ctx, other); job != "" {
		t.Errorf("Pending of other stream = %q, want empty", job)
	}
	if err := s.SetPending(ctx, k, ""); err != nil {
		t.Fatalf("SetPending clear error: %v", err)
	}
	if job, err := s.Pending(ctx, k); err != nil || job != "" {
		t.Errorf("Pending after clear = %q, %v; want empty", job, err)
	}
	for _, bad := range []string{"job\n2", " job", "job\r"} {
		if err := s.SetPending(ctx, k, bad); err == nil {
			t.Errorf("SetPending(%q) returned no error", bad)
		}
	}
	if job, err := s.Pending(ctx, k); err != nil || job != "" {
		t.Errorf("Pending after rejected SetPending = %q, %v; want empty", job, err)
	}
}

func testConcurrentAdvance(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	base := put(t, s, k, 0, "base")
	advance(t, s, k, "", base.ID)
	const n = 8
	var cands []string
	for i := range n {
		cands = append(cands, put(t, s, k, i+1, fmt.Sprint("c", i)).ID)
	}

	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.Advance(t.Context(), k, base.ID, cands[i])
		})
	}
	close(start)
	wg.Wait()

	winner := ""
	for i, err := range errs {
		switch {
		case err == nil && winner != "":
			t.Errorf("both %q and %q won", winner, cands[i])
		case err == nil:
			winner = cands[i]
		case !errors.Is(err, snapshot.ErrConflict):
			t.Errorf("loser %d error = %v, want ErrConflict", i, err)
		}
	}
	head, err := s.Head(t.Context(), k)
	if err != nil || head.ID != winner || winner == "" {
		t.Errorf("head = %q, %v; want the winner %q", head.ID, err, winner)
	}
}

func testCanceledContext(t *testing.T, s snapshot.Store) {
	k := Key("fc")
	m := put(t, s, k, 1, "a")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	checks := map[string]error{}
	_, checks["Put"] = s.Put(ctx, snapshot.Meta{Key: k}, strings.NewReader("b"))
	_, _, checks["Get"] = s.Get(ctx, m.ID)
	_, checks["Head"] = s.Head(ctx, k)
	checks["Advance"] = s.Advance(ctx, k, "", m.ID)
	_, checks["List"] = s.List(ctx, k)
	_, checks["Prune"] = s.Prune(ctx, k, snapshot.Retention{KeepLast: 1})
	checks["SetPending"] = s.SetPending(ctx, k, "job")
	_, checks["Pending"] = s.Pending(ctx, k)
	for name, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with canceled context error = %v, want context.Canceled", name, err)
		}
	}
	if _, err := s.Head(t.Context(), k); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Head after canceled Advance error = %v, want ErrNotFound", err)
	}
}

func testEmptyBody(t *testing.T, s snapshot.Store) {
	m := put(t, s, Key("fc"), 1, "")
	_, body, err := s.Get(t.Context(), m.ID)
	if err != nil || len(body) != 0 || m.Size != 0 || m.SHA256 != digest("") {
		t.Errorf("empty body: Get = %q, %v; Meta = %+v", body, err, m)
	}
}

// viewer returns s as a snapshot.Viewer, or skips the test when s does not
// implement it.
func viewer(t *testing.T, s snapshot.Store) snapshot.Viewer {
	t.Helper()
	v, ok := s.(snapshot.Viewer)
	if !ok {
		t.Skipf("%T does not implement snapshot.Viewer", s)
	}
	return v
}

// mustNotCall is a View callback that fails the test when it runs.
func mustNotCall(t *testing.T) func(snapshot.Meta, []byte) error {
	return func(m snapshot.Meta, _ []byte) error {
		t.Errorf("View called fn with snapshot %q", m.ID)
		return nil
	}
}

func testViewMatchesGet(t *testing.T, s snapshot.Store) {
	v := viewer(t, s)
	k := Key("fc")
	// The large body is not a multiple of the page size and differs from
	// page to page, so a wrong offset or length would show.
	large := make([]byte, 3<<20+123)
	for i := range large {
		large[i] = byte(i*7 + i>>12)
	}
	bodies := []struct{ name, body string }{
		{"small", `{"rows":[1,2,3]}`},
		{"empty", ""},
		{"3MB", string(large)},
	}
	for i, tt := range bodies {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.body
			m := put(t, s, k, i, want)
			gotMeta, gotBody, err := s.Get(t.Context(), m.ID)
			if err != nil {
				t.Fatalf("Get error: %v", err)
			}
			calls := 0
			err = v.View(t.Context(), m.ID, func(vm snapshot.Meta, body []byte) error {
				calls++
				if d := diffMeta(gotMeta, vm); d != "" {
					t.Errorf("View Meta differs from Get: %s", d)
				}
				if !bytes.Equal(body, gotBody) {
					t.Errorf("View body is %d bytes and differs from the %d bytes of Get", len(body), len(gotBody))
				}
				if string(body) != want {
					t.Errorf("View body differs from the %d bytes stored", len(want))
				}
				return nil
			})
			if err != nil {
				t.Errorf("View error: %v", err)
			}
			if calls != 1 {
				t.Errorf("View called fn %d times, want 1", calls)
			}
		})
	}
}

func testViewUnknown(t *testing.T, s snapshot.Store) {
	v := viewer(t, s)
	put(t, s, Key("fc"), 1, "x")
	err := v.View(t.Context(), "no-such-id", mustNotCall(t))
	if !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("View unknown error = %v, want ErrNotFound", err)
	}
}

func testViewInvalidID(t *testing.T, s snapshot.Store) {
	v := viewer(t, s)
	for _, id := range []string{"", "../x", "a/b", ".hidden"} {
		err := v.View(t.Context(), id, mustNotCall(t))
		if !errors.Is(err, snapshot.ErrInvalidID) {
			t.Errorf("View(%q) error = %v, want ErrInvalidID", id, err)
		}
	}
}

func testViewCanceledContext(t *testing.T, s snapshot.Store) {
	v := viewer(t, s)
	m := put(t, s, Key("fc"), 1, "a")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := v.View(ctx, m.ID, mustNotCall(t))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("View with canceled context error = %v, want context.Canceled", err)
	}
}

// fnError is a distinct type, so that a wrapped or replaced error fails
// the == check in testViewReturnsFnError.
type fnError struct{ msg string }

func (e *fnError) Error() string { return e.msg }

func testViewReturnsFnError(t *testing.T, s snapshot.Store) {
	v := viewer(t, s)
	m := put(t, s, Key("fc"), 1, "a")
	want := &fnError{"callback failed"}
	err := v.View(t.Context(), m.ID, func(snapshot.Meta, []byte) error { return want })
	if err != want {
		t.Errorf("View error = %#v, want the callback's error %#v unchanged", err, want)
	}
	if !errors.Is(err, want) {
		t.Errorf("View error = %v does not match the callback's error with errors.Is", err)
	}
}

// testViewDuringPrune prunes the viewed snapshot from inside fn and
// checks that the body stays readable until fn returns. It also shows
// that fn may call the store.
func testViewDuringPrune(t *testing.T, s snapshot.Store) {
	v := viewer(t, s)
	k := Key("fc")
	want := strings.Repeat("old body\n", 1000)
	old := put(t, s, k, 1, want)
	put(t, s, k, 2, "new body")
	err := v.View(t.Context(), old.ID, func(_ snapshot.Meta, body []byte) error {
		removed, err := s.Prune(t.Context(), k, snapshot.Retention{KeepLast: 1})
		if err != nil {
			return err
		}
		if len(removed) != 1 || removed[0] != old.ID {
			t.Errorf("Prune removed %v, want only %q", removed, old.ID)
		}
		if string(body) != want {
			t.Error("body changed after Prune removed the snapshot")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View error: %v", err)
	}
	if err := v.View(t.Context(), old.ID, mustNotCall(t)); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("View of pruned snapshot error = %v, want ErrNotFound", err)
	}
}
