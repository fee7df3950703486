package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary is the program, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "forecast-monitor-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "forecast-monitor")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runProgram runs the binary with a clean environment plus env.
func runProgram(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "CLARIWATCH_LOG_LEVEL=off"}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func testdata(name string) string { return filepath.Join("..", "testdata", name) }

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"entries": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	tests := []struct {
		name   string
		env    []string
		args   []string
		code   int
		stderr string
	}{
		{"unknown flag", nil, []string{"-nope"}, 2, "flag provided but not defined"},
		{"bad format", nil, []string{"-export-file", testdata("export-1.json"), "-format", "xml"}, 2, "-format"},
		{"bad threshold", nil, []string{"-export-file", testdata("export-1.json"), "-threshold", "ten"}, 2, "-threshold"},
		{"no forecast", nil, nil, 2, "-forecast"},
		{"no api key", []string{"CLARI_FORECAST_ID=net_bookings"}, nil, 2, "CLARI_API_KEY"},
		{"extra argument", nil, []string{"-export-file", testdata("export-1.json"), "extra"}, 2, "extra"},
		{"webhook without secret", []string{"WEBHOOK_URL=http://127.0.0.1:1/hook"}, []string{"-export-file", testdata("export-1.json")}, 2, "WEBHOOK_SECRET"},
		{"unreadable file", nil, []string{"-export-file", filepath.Join(dir, "missing.json"), "-store", store}, 1, "missing.json"},
		{"invalid export", nil, []string{"-export-file", bad, "-store", store}, 1, "bad.json"},
		{"good file", nil, []string{"-export-file", testdata("export-1.json"), "-store", store}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runProgram(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit status = %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.code != 0 {
				if lines := strings.Count(stderr, "\n"); lines != 1 {
					t.Errorf("stderr has %d lines, want 1:\n%s", lines, stderr)
				}
				if !strings.Contains(stderr, tt.stderr) {
					t.Errorf("stderr %q does not mention %q", stderr, tt.stderr)
				}
			}
		})
	}
}

func TestJSONFormat(t *testing.T) {
	store := t.TempDir()
	for i, want := range []struct {
		baseline bool
		changes  int
	}{{true, 0}, {false, 6}} {
		file := testdata(fmt.Sprintf("export-%d.json", i+1))
		stdout, stderr, code := runProgram(t, nil, "-export-file", file, "-store", store, "-format", "json")
		if code != 0 {
			t.Fatalf("run %d: exit %d, stderr %s", i+1, code, stderr)
		}
		var got struct {
			Baseline *bool             `json:"baseline"`
			Changes  []json.RawMessage `json:"changes"`
			Summary  map[string]int    `json:"summary"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("run %d: stdout is not one JSON object: %v\n%s", i+1, err, stdout)
		}
		if got.Baseline == nil || *got.Baseline != want.baseline || got.Changes == nil || len(got.Changes) != want.changes {
			t.Errorf("run %d: baseline=%v changes=%d, want %v %d", i+1, got.Baseline, len(got.Changes), want.baseline, want.changes)
		}
		if _, ok := got.Summary["changed"]; !ok {
			t.Errorf("run %d: summary %v lacks changed", i+1, got.Summary)
		}
	}
}

func TestDryRunKeepsHead(t *testing.T) {
	store := t.TempDir()
	if _, stderr, code := runProgram(t, nil, "-export-file", testdata("export-1.json"), "-store", store); code != 0 {
		t.Fatalf("baseline: exit %d: %s", code, stderr)
	}
	for range 2 {
		stdout, stderr, code := runProgram(t, nil, "-export-file", testdata("export-2.json"), "-store", store, "-dry-run")
		if code != 0 {
			t.Fatalf("dry run: exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "Marcus Bell") || !strings.Contains(stdout, "dry run") {
			t.Errorf("dry run output lacks the change or the dry-run line:\n%s", stdout)
		}
	}
}

func TestDryRunCreatesNoStore(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	stdout, stderr, code := runProgram(t, nil, "-export-file", testdata("export-1.json"), "-store", store, "-dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "dry run") {
		t.Errorf("dry run output lacks the dry-run line:\n%s", stdout)
	}
	if _, err := os.Stat(store); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dry run created the store directory %s: stat error %v", store, err)
	}
}

func TestDemoOutput(t *testing.T) {
	stdout, stderr, code := runProgram(t, nil, "-demo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"=== tick 1", "baseline:",
		"Priya Natarajan (priya.natarajan@example.com) · Commit: USD 0 → USD 45,000 (from zero)",
		"Marcus Bell (marcus.bell@example.com) · Commit: USD 86,420.30 → USD 95,062.33 (+10.0 %)",
		"Reps added", "Nora Quinn", "Reps removed", "Liam Walsh",
		"Ana.Reyes@Example.com -> ana.reyes@example.com; same owner, so no change",
		"=== tick 4",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", stdout)
	}
}

func TestHelpGivesUnits(t *testing.T) {
	_, stderr, code := runProgram(t, nil, "-h")
	if code != 0 {
		t.Fatalf("-h exit status = %d, want 0", code)
	}
	for _, want := range []string{"-forecast id", "-store DIR", "-threshold PERCENT", "-min-change AMOUNT", "-max-alerts N", "-every DURATION", "-export-file PATH"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
