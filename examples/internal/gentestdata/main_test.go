package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// committedDir is examples/testdata, seen from this package's directory.
var committedDir = filepath.Join("..", "..", "testdata")

func TestGenerateMatchesCommitted(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatalf("generate: %v", err)
	}
	generated := fileNames(t, dir)
	if diff := cmp.Diff(generated, fileNames(t, committedDir)); diff != "" {
		t.Fatalf("file names in %s differ from the generated ones (-generated +committed):\n%s", committedDir, diff)
	}
	for _, name := range generated {
		t.Run(name, func(t *testing.T) {
			want := readFile(t, filepath.Join(dir, name))
			got := readFile(t, filepath.Join(committedDir, name))
			if !bytes.Equal(want, got) {
				t.Errorf("%s differs from the generated file at line %d; run `go run ./examples/internal/gentestdata` from the module root",
					name, firstDiffLine(want, got))
			}
		})
	}
}

func TestExportShape(t *testing.T) {
	for n := 1; n <= 4; n++ {
		t.Run(fmt.Sprintf("export-%d", n), func(t *testing.T) {
			path := filepath.Join(committedDir, fmt.Sprintf("export-%d.json", n))
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Size() > 1<<20 {
				t.Errorf("%s is %d bytes, want at most 1 MiB", path, info.Size())
			}
			ex := loadExport(t, path)
			checkHierarchy(t, ex)
			if len(ex.TimePeriods) != 1 || ex.TimePeriods[0].TimePeriodID != "2026_Q4" {
				t.Errorf("timePeriods = %+v, want one entry 2026_Q4", ex.TimePeriods)
			}
			if len(ex.TimeFrames) != 13 {
				t.Errorf("timeFrames has %d items, want 13", len(ex.TimeFrames))
			}
			if got, want := maxWeek(ex), 7+n; got != want {
				t.Errorf("latest week = %d, want %d", got, want)
			}
			if got, want := len(ex.Entries), len(ex.Users)*4*(8+n); got != want {
				t.Errorf("entries = %d, want %d (users x fields x weeks)", got, want)
			}
			checkIDForms(t, ex)
		})
	}
}

func checkHierarchy(t *testing.T, ex *testExport) {
	t.Helper()
	byHierarchy := make(map[string]testUser)
	for _, u := range ex.Users {
		byHierarchy[u.HierarchyID] = u
	}
	depths := make(map[int]int)
	for _, u := range ex.Users {
		depth := 1
		for p := u.ParentHierarchyID; p != nil; p = byHierarchy[*p].ParentHierarchyID {
			if _, ok := byHierarchy[*p]; !ok {
				t.Fatalf("user %s has unknown parentHierarchyId %q", u.Email, *p)
			}
			depth++
		}
		depths[depth]++
	}
	want := map[int]int{1: 1, 2: 5, 3: 42}
	if diff := cmp.Diff(want, depths); diff != "" {
		t.Errorf("users per hierarchy level (-want +got):\n%s", diff)
	}
}

func checkIDForms(t *testing.T, ex *testExport) {
	t.Helper()
	var numericUsers, numericFrames, nulls int
	for _, u := range ex.Users {
		if !isJSONString(u.UserID) {
			numericUsers++
		}
	}
	for _, e := range ex.Entries {
		if !isJSONString(e.TimeFrameID) {
			numericFrames++
		}
		if e.ForecastValue == nil {
			nulls++
			if id, _ := rawID(e.UserID); id != "2914" || e.FieldID != "best_case" || string(e.TimeFrameID) != `"0"` {
				t.Errorf("null forecastValue at user %s, field %s, week %s; want 2914, best_case, 0",
					id, e.FieldID, e.TimeFrameID)
			}
		}
	}
	if numericUsers == 0 {
		t.Error("no users[] item has a numeric userId")
	}
	if numericFrames == 0 {
		t.Error("no entries[] item has a numeric timeFrameId")
	}
	if nulls != 1 {
		t.Errorf("%d entries have a null forecastValue, want 1", nulls)
	}
}

// plantedChange is one difference between the latest weeks of two exports.
type plantedChange struct {
	Email, Field, Previous, Current, Kind string
	Alert                                 bool
}

func TestPlantedMoves(t *testing.T) {
	tests := []struct {
		name      string
		prev, cur string
		want      []plantedChange
	}{
		{"export-1 to export-2", "export-1.json", "export-2.json", []plantedChange{
			{"priya.natarajan@example.com", "commit", "0.00", "45000.00", "from_zero", true},
			{"marcus.bell@example.com", "commit", "86420.30", "95062.33", "changed", true},
			{"hannah.ortiz@example.com", "best_case", "250000.00", "274975.00", "changed", false},
			{"diego.alvarez@example.com", "commit", "52300.00", "0.00", "to_zero", true},
			{"grace.kim@example.com", "best_case", "180000.00", "240500.00", "changed", true},
			{"owen.fischer@example.com", "pipeline", "910250.75", "655000.00", "changed", true},
			{"sofia.rossi@example.com", "pipeline", "420000.00", "431550.00", "changed", false},
			{"ethan.brooks@example.com", "closed", "40000.00", "118250.50", "changed", true},
			{"noah.park@example.com", "commit", "300000.00", "291000.00", "changed", false},
		}},
		{"export-2 to export-3", "export-2.json", "export-3.json", []plantedChange{
			{"chloe.dubois@example.com", "commit", "50027.40", "45024.66", "changed", true},
			{"ravi.shah@example.com", "best_case", "100000.00", "90010.00", "changed", false},
			{"mia.johansson@example.com", "commit", "75000.00", "82500.01", "changed", true},
			{"lucas.meyer@example.com", "pipeline", "1000000.00", "1050000.00", "changed", false},
			{"zoe.carter@example.com", "best_case", "330000.00", "198000.00", "changed", true},
			{"liam.walsh@example.com", "commit", "289039.78", "absent", "removed", true},
			{"liam.walsh@example.com", "best_case", "425057.48", "absent", "removed", true},
			{"liam.walsh@example.com", "pipeline", "1036724.56", "absent", "removed", true},
			{"liam.walsh@example.com", "closed", "28904.31", "absent", "removed", true},
			{"nora.quinn@example.com", "commit", "absent", "401545.19", "added", true},
			{"nora.quinn@example.com", "best_case", "absent", "599320.71", "added", true},
			{"nora.quinn@example.com", "pipeline", "absent", "951302.67", "added", true},
			{"nora.quinn@example.com", "closed", "absent", "72278.81", "added", true},
		}},
		{"export-3 to export-4", "export-3.json", "export-4.json", []plantedChange{
			{"ben.okafor@example.com", "commit", "200000.00", "210000.00", "changed", false},
			{"lena.schmidt@example.com", "pipeline", "640000.00", "600000.00", "changed", false},
			{"omar.haddad@example.com", "best_case", "150000.00", "164985.00", "changed", false},
			{"julia.novak@example.com", "closed", "10000.00", "10999.99", "changed", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := latestValues(t, loadExport(t, filepath.Join(committedDir, tt.prev)))
			cur := latestValues(t, loadExport(t, filepath.Join(committedDir, tt.cur)))
			got := compare(prev, cur)
			sortChanges(tt.want)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmailCaseChange(t *testing.T) {
	before := usersByID(t, loadExport(t, filepath.Join(committedDir, "export-1.json")))
	after := usersByID(t, loadExport(t, filepath.Join(committedDir, "export-2.json")))
	const id = "3145"
	if got := before[id].Email; got != "Ana.Reyes@Example.com" {
		t.Errorf("export-1 email of %s = %q, want Ana.Reyes@Example.com", id, got)
	}
	if got := after[id].Email; got != "ana.reyes@example.com" {
		t.Errorf("export-2 email of %s = %q, want ana.reyes@example.com", id, got)
	}
}

func TestOwnersMoves(t *testing.T) {
	prev := loadOwners(t, filepath.Join(committedDir, "owners-1.json"))
	cur := loadOwners(t, filepath.Join(committedDir, "owners-2.json"))
	want := []plantedChange{
		{"priya.natarajan@example.com", "commit", "0.00", "45000.00", "from_zero", true},
		{"marcus.bell@example.com", "commit", "86420.30", "95062.33", "changed", true},
		{"diego.alvarez@example.com", "commit", "52300.00", "0.00", "to_zero", true},
		{"noah.park@example.com", "commit", "300000.00", "291000.00", "changed", false},
		{"liam.walsh@example.com", "commit", "289039.78", "absent", "removed", true},
		{"nora.quinn@example.com", "commit", "absent", "401545.19", "added", true},
	}
	sortChanges(want)
	if diff := cmp.Diff(want, compare(prev, cur)); diff != "" {
		t.Errorf("owner changes (-want +got):\n%s", diff)
	}
}

// Local decoding, independent of the generator's own types.

type testUser struct {
	UserID            json.RawMessage `json:"userId"`
	Email             string          `json:"email"`
	HierarchyID       string          `json:"hierarchyId"`
	ParentHierarchyID *string         `json:"parentHierarchyId"`
}

type testEntry struct {
	TimeFrameID   json.RawMessage `json:"timeFrameId"`
	UserID        json.RawMessage `json:"userId"`
	FieldID       string          `json:"fieldId"`
	ForecastValue *json.Number    `json:"forecastValue"`
}

type testExport struct {
	Entries     []testEntry       `json:"entries"`
	Users       []testUser        `json:"users"`
	TimeFrames  []json.RawMessage `json:"timeFrames"`
	TimePeriods []struct {
		TimePeriodID string `json:"timePeriodId"`
	} `json:"timePeriods"`
}

// valueKey identifies one value in a comparison: an owner and a field.
type valueKey struct{ owner, field string }

// ownerValue is a value with the email to display for its owner.
type ownerValue struct {
	email string
	cents int64
}

func loadExport(t *testing.T, path string) *testExport {
	t.Helper()
	var ex testExport
	if err := json.Unmarshal(readFile(t, path), &ex); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return &ex
}

func loadOwners(t *testing.T, path string) map[valueKey]ownerValue {
	t.Helper()
	var doc struct {
		Entries []struct {
			OwnerEmail     string      `json:"ownerEmail"`
			ForecastAmount json.Number `json:"forecastAmount"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(readFile(t, path), &doc); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	out := make(map[valueKey]ownerValue)
	for _, e := range doc.Entries {
		key := valueKey{strings.ToLower(e.OwnerEmail), "commit"}
		out[key] = ownerValue{strings.ToLower(e.OwnerEmail), parseCents(t, e.ForecastAmount.String())}
	}
	return out
}

func usersByID(t *testing.T, ex *testExport) map[string]testUser {
	t.Helper()
	out := make(map[string]testUser)
	for _, u := range ex.Users {
		id, err := rawID(u.UserID)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = u
	}
	return out
}

// latestValues returns, per userId and field, the value of the latest week
// that has an entry. A null value there counts as absent.
func latestValues(t *testing.T, ex *testExport) map[valueKey]ownerValue {
	t.Helper()
	users := usersByID(t, ex)
	weeks := make(map[valueKey]int)
	out := make(map[valueKey]ownerValue)
	for _, e := range ex.Entries {
		user, err := rawID(e.UserID)
		if err != nil {
			t.Fatal(err)
		}
		week := weekOf(t, e.TimeFrameID)
		key := valueKey{user, e.FieldID}
		if w, seen := weeks[key]; seen && w > week {
			continue
		}
		weeks[key] = week
		delete(out, key)
		if e.ForecastValue != nil {
			out[key] = ownerValue{strings.ToLower(users[user].Email), parseCents(t, e.ForecastValue.String())}
		}
	}
	return out
}

// compare lists every key whose value differs, with its kind and whether
// it alerts at 10 % with exact integer arithmetic.
func compare(prev, cur map[valueKey]ownerValue) []plantedChange {
	var out []plantedChange
	for key, p := range prev {
		c, ok := cur[key]
		switch {
		case !ok:
			out = append(out, plantedChange{p.email, key.field, centsText(p.cents), "absent", "removed", true})
		case c.cents != p.cents:
			kind, alert := kindOf(p.cents, c.cents)
			out = append(out, plantedChange{c.email, key.field, centsText(p.cents), centsText(c.cents), kind, alert})
		}
	}
	for key, c := range cur {
		if _, ok := prev[key]; !ok {
			out = append(out, plantedChange{c.email, key.field, "absent", centsText(c.cents), "added", true})
		}
	}
	sortChanges(out)
	return out
}

func kindOf(prev, cur int64) (string, bool) {
	switch {
	case prev == 0:
		return "from_zero", true
	case cur == 0:
		return "to_zero", true
	}
	delta, base := cur-prev, prev
	if delta < 0 {
		delta = -delta
	}
	if base < 0 {
		base = -base
	}
	return "changed", delta*100 >= 10*base
}

func sortChanges(cs []plantedChange) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Email != cs[j].Email {
			return cs[i].Email < cs[j].Email
		}
		return cs[i].Field < cs[j].Field
	})
}

func maxWeek(ex *testExport) int {
	latest := -1
	for _, e := range ex.Entries {
		id, err := rawID(e.TimeFrameID)
		if err != nil {
			continue
		}
		if w, err := strconv.Atoi(id); err == nil && w > latest {
			latest = w
		}
	}
	return latest
}

func weekOf(t *testing.T, raw json.RawMessage) int {
	t.Helper()
	id, err := rawID(raw)
	if err != nil {
		t.Fatal(err)
	}
	w, err := strconv.Atoi(id)
	if err != nil {
		t.Fatalf("timeFrameId %s is not an integer: %v", raw, err)
	}
	return w
}

// rawID returns a JSON string or number id as a string.
func rawID(raw json.RawMessage) (string, error) {
	if isJSONString(raw) {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("id %s is neither a JSON string nor a number: %w", raw, err)
	}
	return n.String(), nil
}

func isJSONString(raw json.RawMessage) bool {
	return len(raw) > 0 && raw[0] == '"'
}

// parseCents parses a decimal with at most two decimals into cents,
// without float64.
func parseCents(t *testing.T, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		t.Fatalf("amount %s has more than two decimals", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	c, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		t.Fatalf("amount %s: %v", s, err)
	}
	return c
}

func centsText(c int64) string {
	return formatCents(c)
}

func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstDiffLine returns the 1-based line number of the first byte where a
// and b differ.
func firstDiffLine(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return 1 + bytes.Count(a[:i], []byte("\n"))
}
