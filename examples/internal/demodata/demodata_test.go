package demodata_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/clariwatch/clariwatch/examples/internal/demodata"
)

func TestCopiesMatchTestdata(t *testing.T) {
	for n := 1; n <= demodata.Count; n++ {
		t.Run(demodata.Name(n), func(t *testing.T) {
			got, err := demodata.Export(n)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", "..", "testdata", demodata.Name(n)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("embedded %s differs from examples/testdata; copy the file again", demodata.Name(n))
			}
		})
	}
}
