package clari

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAddOwnersUniqueMatchesMap checks that the sorted check of owner ids
// appends the users that the map-based addOwners appends, or nothing.
func TestAddOwnersUniqueMatchesMap(t *testing.T) {
	for seed := range uint64(200) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 3))
			n := rng.IntN(1200)
			e := &Export{}
			for range rng.IntN(3) {
				e.Users = append(e.Users, User{UserID: ID(fmt.Sprintf("listed-%d", rng.IntN(4))), Name: "listed"})
			}
			d := &decoder{}
			for i := range n {
				// Sequential ids repeat in runs, and rarely elsewhere.
				id := ID(fmt.Sprintf("owner-%06d@example.com", i/3))
				if rng.IntN(1000) == 0 {
					id = ID(fmt.Sprintf("owner-%06d@example.com", rng.IntN(n/3+1)))
				}
				if rng.IntN(500) == 0 {
					id = "listed-1"
				}
				e.Entries = append(e.Entries, Entry{UserID: id})
				d.owners = append(d.owners, ownerInfo{email: string(id), name: fmt.Sprint(i), seen: rng.IntN(50) > 0})
			}
			want := &Export{Users: slices.Clone(e.Users), Entries: e.Entries}
			addOwners(want, d)
			before := slices.Clone(e.Users)
			if addOwnersUnique(e, d) {
				if diff := cmp.Diff(want.Users, e.Users); diff != "" {
					t.Errorf("addOwnersUnique() users mismatch (-map +sorted):\n%s", diff)
				}
			} else if diff := cmp.Diff(before, e.Users); diff != "" {
				t.Errorf("addOwnersUnique() = false changed the users (-before +after):\n%s", diff)
			}
		})
	}
}
