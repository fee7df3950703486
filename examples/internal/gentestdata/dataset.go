package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

const (
	exportCount = 4
	weekCount   = 13
	// firstLatestWeek is the latest time frame of export-1. Export n fills
	// the weeks 0 to firstLatestWeek+n-1.
	firstLatestWeek = 8
	repCount        = 43 // 42 in export-1, one more added in export-3
	teamCount       = 5

	forecastID = "net_bookings"
	periodID   = "2026_Q4"
	currency   = "USD"
)

// seed fixes every random choice; changing it changes every output file.
var seed = [2]uint64{20261001, 4}

// periodStart is the first day of the quarter, 2026-10-01 UTC.
var periodStart = time.Date(2026, time.October, 1, 0, 0, 0, 0, time.UTC)

// fields lists the forecast fields in export order.
var fields = []struct{ id, name, kind string }{
	{"commit", "Commit", "forecast"},
	{"best_case", "Best Case", "forecast"},
	{"pipeline", "Pipeline", "forecast"},
	{"closed", "Closed Won", "crm_closed"},
}

var regions = [teamCount]string{"East", "West", "Central", "EMEA", "APAC"}

// cell is the value of one field of one user in one week.
type cell struct {
	value     int64 // cents
	null      bool  // the export has "forecastValue": null
	updated   bool
	updatedBy *person
	updatedOn int64 // epoch milliseconds
}

// person is one forecast user: the VP, a manager or a rep.
type person struct {
	userID      int
	numericID   bool // userId is a JSON number in users[]
	crmID       string
	first, last string
	email       string // from firstExport on
	laterEmail  string // from export-2 on, when it differs from email
	hierarchyID string
	role        string
	parent      *person
	manager     *person // who else may update this user's values
	firstExport int
	lastExport  int
	level       string // "REP" or "MGR"
	cells       map[string]*[weekCount]cell
}

// emailIn returns the email address of p as export n spells it.
func (p *person) emailIn(n int) string {
	if p.laterEmail != "" && n >= 2 {
		return p.laterEmail
	}
	return p.email
}

// inExport reports whether export n lists p.
func (p *person) inExport(n int) bool {
	return n >= p.firstExport && n <= p.lastExport
}

// dataset is every user and value of the quarter, shared by all exports so
// that the weeks before an export's latest week match across exports.
type dataset struct {
	rng      *rand.Rand
	vp       *person
	managers []*person
	reps     []*person
}

// people returns every user in users[] order: the VP, the managers, then
// the reps.
func (ds *dataset) people() []*person {
	all := []*person{ds.vp}
	all = append(all, ds.managers...)
	return append(all, ds.reps...)
}

// newDataset builds the hierarchy and every weekly value from the seed.
func newDataset() *dataset {
	ds := &dataset{rng: rand.New(rand.NewPCG(seed[0], seed[1]))}
	names := ds.shuffledNames()
	ds.vp = ds.newPerson(1001, names[0], "401", "VP Sales", nil, "MGR")
	for t := range teamCount {
		id := fmt.Sprintf("41%d", t)
		m := ds.newPerson(1101+t, names[1+t], id, "Sales Manager - "+regions[t], ds.vp, "MGR")
		ds.managers = append(ds.managers, m)
	}
	for i := range repCount {
		name, ok := fixedNames[i]
		if !ok {
			name = names[1+teamCount+i]
		}
		mgr := ds.managers[i%teamCount]
		hid := fmt.Sprintf("%s%d", mgr.hierarchyID, 1+i/teamCount)
		r := ds.newPerson(2900+7*i, name, hid, "Sales Rep - "+regions[i%teamCount], mgr, "REP")
		r.numericID = i%6 == 0
		ds.reps = append(ds.reps, r)
	}
	ds.reps[repLiamWalsh].lastExport = 2
	ds.reps[repNoraQuinn].firstExport = 3
	ana := ds.reps[repAnaReyes]
	ana.email = "Ana.Reyes@Example.com"
	ana.laterEmail = "ana.reyes@example.com"

	for i, r := range ds.reps {
		ds.fillRep(i, r)
	}
	for _, m := range ds.managers {
		ds.fillManager(m, ds.teamTotals(m))
	}
	ds.fillManager(ds.vp, ds.vpTotals())
	ds.reps[repNullValue].cells["best_case"][0] = cell{null: true}
	return ds
}

// newPerson returns a user with a CRM id drawn from the seed. The email is
// first.last@example.com in lower case.
func (ds *dataset) newPerson(userID int, name [2]string, hid, role string, parent *person, level string) *person {
	p := &person{
		userID:      userID,
		crmID:       ds.crmID(),
		first:       name[0],
		last:        name[1],
		email:       strings.ToLower(name[0] + "." + name[1] + "@example.com"),
		hierarchyID: hid,
		role:        role,
		parent:      parent,
		manager:     parent,
		firstExport: 1,
		lastExport:  exportCount,
		level:       level,
		cells:       make(map[string]*[weekCount]cell),
	}
	return p
}

// crmID returns a Salesforce-style 18-character user id.
func (ds *dataset) crmID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := []byte("0058c")
	for len(b) < 15 {
		b = append(b, alphabet[ds.rng.IntN(len(alphabet))])
	}
	return string(b) + "AAI"
}

var firstNames = []string{
	"Adam", "Alice", "Amir", "Bianca", "Caleb", "Carmen", "Daniel", "Elena",
	"Farah", "Felix", "Gabriel", "Helen", "Ivan", "Isla", "Jonas", "Kate",
	"Kenji", "Laura", "Leo", "Maya", "Mateo", "Nadia", "Oscar", "Paula",
	"Quinn", "Rosa", "Samuel", "Sara", "Tariq", "Tessa", "Victor", "Wendy",
	"Yusuf", "Zara",
}

var lastNames = []string{
	"Abbott", "Berg", "Castillo", "Dahl", "Evans", "Ferreira", "Garcia",
	"Hughes", "Ito", "Jensen", "Kowalski", "Larsen", "Moreau", "Nguyen",
	"Olsen", "Patel", "Ramos", "Silva", "Tanaka", "Ueda", "Vargas", "Weber",
	"Yilmaz", "Zimmer",
}

// shuffledNames returns distinct (first, last) pairs in a seeded order,
// none equal to a fixed name because no fixed first name is in firstNames.
func (ds *dataset) shuffledNames() [][2]string {
	var names [][2]string
	for _, f := range firstNames {
		for _, l := range lastNames {
			names = append(names, [2]string{f, l})
		}
	}
	ds.rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	// At most two people share a first name, so that the names vary.
	uses := make(map[string]int)
	var out [][2]string
	for _, n := range names {
		if uses[n[0]] < 2 {
			uses[n[0]]++
			out = append(out, n)
		}
	}
	return out
}
