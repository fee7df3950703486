package snapshot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clariwatch/clariwatch/snapshot"
)

// Example shows one monitoring run: read the head, store the new export,
// compare, then move the head by compare-and-swap.
func Example() {
	ctx := context.Background()
	store := snapshot.NewMemoryStore()
	key := snapshot.Key{ForecastID: "net_new", TimePeriod: "2026-Q1", Scope: "org", Currency: "USD"}

	for i, export := range []string{`{"commit":100}`, `{"commit":140}`} {
		prev, err := store.Head(ctx, key)
		if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
			fmt.Println(err)
			return
		}
		cur, err := store.Put(ctx, snapshot.Meta{
			Key:      key,
			TakenAt:  time.Date(2026, 1, 15, 8+4*i, 0, 0, 0, time.UTC),
			ParentID: prev.ID,
		}, strings.NewReader(export))
		if err != nil {
			fmt.Println(err)
			return
		}
		if prev.ID == "" {
			fmt.Println("baseline stored")
		} else {
			fmt.Println("compare", prev.SHA256[:8], "with", cur.SHA256[:8])
		}
		// Advance only after every alert was sent.
		if err := store.Advance(ctx, key, prev.ID, cur.ID); errors.Is(err, snapshot.ErrConflict) {
			fmt.Println("another run moved the head first")
		}
	}
	head, _ := store.Head(ctx, key)
	fmt.Println("head taken at", head.TakenAt.Format(time.RFC3339))
	// Output:
	// baseline stored
	// compare 471015ac with 74a89b1a
	// head taken at 2026-01-15T12:00:00Z
}
