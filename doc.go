// Package clariwatch watches Clari forecast exports and Clari Copilot calls
// and alerts on the changes that matter.
//
// Clari's Revenue API has no webhooks for forecast changes. clariwatch takes
// a forecast export every few hours, keeps each export as a snapshot,
// compares it with the last one and sends alerts for the moves that pass
// the thresholds.
//
// # Packages
//
//   - [github.com/clariwatch/clariwatch/diff] compares two tables of
//     forecast values with exact decimal amounts and thresholds.
//
// NOTE: the package map grows as the clari, snapshot, notify and copilot
// packages land.
package clariwatch
