// Package clari is a client for Clari's forecast export API and a reader
// of the exports it produces.
package clari
