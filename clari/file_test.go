package clari

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/diff"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadFileOwnerShape(t *testing.T) {
	e, err := ReadFile("testdata/owners.json")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.Rows()
	if err != nil {
		t.Fatal(err)
	}
	want := []diff.Row{
		{Period: "2025_Q3", OwnerID: "1905", Email: "vp@example.com", Name: "Vic Manager",
			Field: "forecast", FieldName: "Forecast", Value: diff.MustParseAmount("3000190")},
		{Period: "2025_Q3", OwnerID: "ana.rep@example.com", Email: "Ana.Rep@Example.com", Name: "Ana Rep",
			Field: "forecast", FieldName: "Forecast", Value: diff.MustParseAmount("125000")},
	}
	if diff := cmp.Diff(want, rows, cmpAmount); diff != "" {
		t.Errorf("Rows (-want +got):\n%s", diff)
	}
	if len(e.Users) != 3 {
		t.Errorf("got %d users, want 3 derived from the owners", len(e.Users))
	}
	if diff := cmp.Diff([]Field{{FieldID: "forecast", FieldName: "Forecast"}}, e.Fields); diff != "" {
		t.Errorf("Fields (-want +got):\n%s", diff)
	}
}

func TestReadOwnerPeriod(t *testing.T) {
	tests := []struct {
		name, in, option, want string
	}{
		{"entry period", `{"period":"top","entries":[{"ownerEmail":"a@x","forecastAmount":1,"period":"own"}]}`, "opt", "own"},
		{"entry timePeriodId", `{"entries":[{"ownerEmail":"a@x","forecastAmount":1,"timePeriodId":"own"}]}`, "opt", "own"},
		{"top-level period", `{"period":"top","entries":[{"ownerEmail":"a@x","forecastAmount":1}]}`, "opt", "top"},
		{"option", `{"entries":[{"ownerEmail":"a@x","forecastAmount":1}]}`, "opt", "opt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ReadOptions{Period: tt.option}.ReadFile(writeFile(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Entries[0].TimePeriodID; got != tt.want {
				t.Errorf("period = %q, want %q", got, tt.want)
			}
			if got := e.Period(); got != tt.want {
				t.Errorf("Period() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadOwnerErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no period", `{"entries":[{"ownerEmail":"a@x","forecastAmount":1}]}`, "ReadOptions.Period"},
		{"no owner", `{"period":"P","entries":[{"ownerName":"A","forecastAmount":1}]}`, "neither ownerId nor ownerEmail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.in)
			_, err := ReadFile(path)
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != path {
				t.Fatalf("ReadFile error = %v, want a *FileError for %s", err, path)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q lacks %q or the path", err, tt.want)
			}
			if got, want := errors.Is(err, ErrNoPeriod), tt.name == "no period"; got != want {
				t.Errorf("errors.Is(%v, ErrNoPeriod) = %t, want %t", err, got, want)
			}
		})
	}
}

func TestDecodeIgnoresOwnerKeys(t *testing.T) {
	e, err := DecodeBytes(readTestdata(t, "owners.json"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Entries[0].ForecastValue != nil || e.Entries[0].FieldID != "" || len(e.Users) != 0 {
		t.Errorf("Decode used per-owner keys: %+v", e.Entries[0])
	}
}

func TestReadFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	_, err := ReadFile(missing)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != missing || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) error = %v, want a *FileError wrapping fs.ErrNotExist", err)
	}

	path := writeFile(t, `{"entries":[{"forecastValue":"abc"}]}`)
	_, err = ReadFile(path)
	var de *DecodeError
	if !errors.As(err, &fe) || !errors.As(err, &de) {
		t.Fatalf("ReadFile(invalid) error = %v, want a *FileError wrapping a *DecodeError", err)
	}
	if de.Path != "entries[0].forecastValue" || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the path and the JSON path", err)
	}
	if strings.Count(err.Error(), "clari: ") != 1 {
		t.Errorf("error %q repeats the package prefix", err)
	}
}

func TestReadClariShape(t *testing.T) {
	f, err := os.Open("testdata/export.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := DecodeBytes(readTestdata(t, "export.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpAmount); diff != "" {
		t.Errorf("Read differs from Decode (-Decode +Read):\n%s", diff)
	}
}
