package main

// move is a change planted in one field of one rep between two successive
// exports. Amounts are in cents.
type move struct {
	pair     int // 1 is export-1 to export-2, 2 is export-2 to export-3, ...
	rep      int // index into dataset.reps
	field    string
	previous int64
	current  int64
}

// Rep indexes with a fixed name, so that the planted moves read the same in
// the README on every run. Every other rep gets a name drawn from the seed.
const (
	repBenOkafor    = 1
	repNullValue    = 2 // best_case of week 0 is null
	repPriyaNat     = 3
	repChloeDubois  = 5
	repMarcusBell   = 7
	repLucasMeyer   = 9
	repHannahOrtiz  = 11
	repLiamWalsh    = 13 // removed from export-3 on
	repDiegoAlvarez = 15
	repLenaSchmidt  = 17
	repGraceKim     = 19
	repRaviShah     = 21
	repOwenFischer  = 23
	repOmarHaddad   = 25
	repSofiaRossi   = 27
	repMiaJohansson = 29
	repEthanBrooks  = 31
	repJuliaNovak   = 33
	repAnaReyes     = 35 // email changes case from export-2 on
	repZoeCarter    = 37
	repNoahPark     = 39
	repNoraQuinn    = 42 // added in export-3
)

// fixedNames maps rep indexes to names that the README refers to.
var fixedNames = map[int][2]string{
	repBenOkafor:    {"Ben", "Okafor"},
	repPriyaNat:     {"Priya", "Natarajan"},
	repChloeDubois:  {"Chloe", "Dubois"},
	repMarcusBell:   {"Marcus", "Bell"},
	repLucasMeyer:   {"Lucas", "Meyer"},
	repHannahOrtiz:  {"Hannah", "Ortiz"},
	repLiamWalsh:    {"Liam", "Walsh"},
	repDiegoAlvarez: {"Diego", "Alvarez"},
	repLenaSchmidt:  {"Lena", "Schmidt"},
	repGraceKim:     {"Grace", "Kim"},
	repRaviShah:     {"Ravi", "Shah"},
	repOwenFischer:  {"Owen", "Fischer"},
	repOmarHaddad:   {"Omar", "Haddad"},
	repSofiaRossi:   {"Sofia", "Rossi"},
	repMiaJohansson: {"Mia", "Johansson"},
	repEthanBrooks:  {"Ethan", "Brooks"},
	repJuliaNovak:   {"Julia", "Novak"},
	repAnaReyes:     {"Ana", "Reyes"},
	repZoeCarter:    {"Zoe", "Carter"},
	repNoahPark:     {"Noah", "Park"},
	repNoraQuinn:    {"Nora", "Quinn"},
}

// moves lists the planted value changes. Reps added or removed between two
// exports are not listed here: every field of theirs is an added or removed
// change.
//
// The two moves of exactly 10 % are chosen so that (current-previous) /
// previous * 100 in float64 gives 9.99999999999999822364 and -9.99999999999999467093,
// which a float-based threshold check would wrongly drop.
var moves = []move{
	// export-1 to export-2.
	{1, repPriyaNat, "commit", 0, 4_500_000},                 // from_zero
	{1, repMarcusBell, "commit", 8_642_030, 9_506_233},       // exactly +10 %
	{1, repHannahOrtiz, "best_case", 25_000_000, 27_497_500}, // +9.99 %
	{1, repDiegoAlvarez, "commit", 5_230_000, 0},             // to_zero
	{1, repGraceKim, "best_case", 18_000_000, 24_050_000},    // +33.61 %
	{1, repOwenFischer, "pipeline", 91_025_075, 65_500_000},  // -28.04 %
	{1, repSofiaRossi, "pipeline", 42_000_000, 43_155_000},   // +2.75 %
	{1, repEthanBrooks, "closed", 4_000_000, 11_825_050},     // +195.63 %
	{1, repNoahPark, "commit", 30_000_000, 29_100_000},       // -3 %

	// export-2 to export-3.
	{2, repChloeDubois, "commit", 5_002_740, 4_502_466},      // exactly -10 %
	{2, repRaviShah, "best_case", 10_000_000, 9_001_000},     // -9.99 %
	{2, repMiaJohansson, "commit", 7_500_000, 8_250_001},     // +10.0000133 %
	{2, repLucasMeyer, "pipeline", 100_000_000, 105_000_000}, // +5 %
	{2, repZoeCarter, "best_case", 33_000_000, 19_800_000},   // -40 %

	// export-3 to export-4: below the default threshold only.
	{3, repBenOkafor, "commit", 20_000_000, 21_000_000},     // +5 %
	{3, repLenaSchmidt, "pipeline", 64_000_000, 60_000_000}, // -6.25 %
	{3, repOmarHaddad, "best_case", 15_000_000, 16_498_500}, // +9.99 %
	{3, repJuliaNovak, "closed", 1_000_000, 1_099_999},      // +9.9999 %
}
