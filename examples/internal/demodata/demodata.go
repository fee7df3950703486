// Package demodata embeds copies of examples/testdata/export-1.json to
// export-4.json for the -demo mode of examples/forecast-monitor, because an
// embed directive cannot reach files outside the package directory. A test checks
// that the copies equal the originals; after regenerating the test data,
// copy the files here again.
package demodata

import (
	"embed"
	"fmt"
)

//go:embed export-*.json
var files embed.FS

// Count is the number of embedded exports.
const Count = 4

// Name returns the file name of export n, counting from 1.
func Name(n int) string { return fmt.Sprintf("export-%d.json", n) }

// Export returns the bytes of export n, counting from 1 to Count.
func Export(n int) ([]byte, error) {
	b, err := files.ReadFile(Name(n))
	if err != nil {
		return nil, fmt.Errorf("demodata: export %d: %w", n, err)
	}
	return b, nil
}
