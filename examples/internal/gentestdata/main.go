// The gentestdata command writes the example forecast exports under
// examples/testdata: four successive Clari JSON exports of one quarter, two
// per-owner files and a README.md that lists the moves planted between them.
//
// The output depends only on a fixed seed, so running it again gives
// byte-identical files. Run it from the module root:
//
//	go run ./examples/internal/gentestdata
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", filepath.Join("examples", "testdata"), "directory to write the files into")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// generate writes every example file into dir, creating dir if needed.
func generate(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gentestdata: create output directory: %w", err)
	}
	files, err := render(newDataset())
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return fmt.Errorf("gentestdata: write %s: %w", path, err)
		}
	}
	return nil
}

// file is one generated output file.
type file struct {
	name string
	data []byte
}

// render encodes the dataset into every output file, in a fixed order.
func render(ds *dataset) ([]file, error) {
	var files []file
	for n := 1; n <= exportCount; n++ {
		data, err := encodeExport(ds, n)
		if err != nil {
			return nil, err
		}
		files = append(files, file{fmt.Sprintf("export-%d.json", n), data})
	}
	for n := 1; n <= 2; n++ {
		data, err := encodeOwners(ds, n)
		if err != nil {
			return nil, err
		}
		files = append(files, file{fmt.Sprintf("owners-%d.json", n), data})
	}
	readme, err := renderREADME(ds)
	if err != nil {
		return nil, err
	}
	return append(files, file{"README.md", readme}), nil
}
