package clariwatch_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/clariwatch/clariwatch"

// allowedImports lists, for each package directory of the module, the
// packages of the module that its non-test files may import. Imports run
// one way: from the monitor to clari, notify and snapshot, and from those
// to diff. diff and snapshot import nothing from the module, so that each
// can be used alone. Examples may import anything and are not listed.
var allowedImports = map[string][]string{
	".":                     {"clari", "diff", "internal/fault", "notify", "snapshot"},
	"clari":                 {"diff"},
	"clari/claritest":       {"clari"},
	"copilot":               {"notify"},
	"copilot/copilottest":   {"copilot"},
	"diff":                  {},
	"internal/fault":        {},
	"notify":                {"diff"},
	"notify/slacktest":      {"notify"},
	"snapshot":              {},
	"snapshot/snapshottest": {"snapshot"},
}

func TestImportRules(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path == "examples" || name == "testdata" || (name != "." && strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		allowed, ok := allowedImports[dir]
		if !ok {
			t.Errorf("package directory %s has no import rule; add it to allowedImports", dir)
			return nil
		}
		seen[dir] = true
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, spec := range file.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			rel, inModule := strings.CutPrefix(imp, modulePath+"/")
			if !inModule {
				continue
			}
			if !slices.Contains(allowed, rel) {
				t.Errorf("%s imports %s; package %s may import only %v from the module", path, imp, dir, allowed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range allowedImports {
		if !seen[dir] {
			t.Errorf("allowedImports lists %s, which has no Go files", dir)
		}
	}
}
