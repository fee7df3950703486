package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/clariwatch/clariwatch/notify/slacktest"
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
		{"threshold too precise", nil, []string{"-export-file", testdata("export-1.json"), "-threshold", "0.0000001"}, 2, "more than 6 decimal places"},
		{"min-change out of range", nil, []string{"-export-file", testdata("export-1.json"), "-min-change", "1e400"}, 2, "out of range"},
		{"every too short", nil, []string{"-export-file", testdata("export-1.json"), "-store", store, "-every", "1ms"}, 2, "-every"},
		{"empty store", nil, []string{"-export-file", testdata("export-1.json"), "-store", ""}, 2, "-store"},
		{"demo with dry-run", nil, []string{"-demo", "-dry-run"}, 2, "-dry-run"},
		{"every negative", nil, []string{"-export-file", testdata("export-1.json"), "-every", "-1h"}, 2, "-every"},
		{"keep zero", nil, []string{"-export-file", testdata("export-1.json"), "-keep", "0"}, 2, "-keep"},
		{"keep below -1", nil, []string{"-export-file", testdata("export-1.json"), "-keep", "-2"}, 2, "-keep"},
		{"max-missing zero", nil, []string{"-export-file", testdata("export-1.json"), "-max-missing", "0"}, 2, "-max-missing"},
		{"max-missing above 100", nil, []string{"-export-file", testdata("export-1.json"), "-max-missing", "150"}, 2, "-max-missing"},
		{"max-missing NaN", nil, []string{"-export-file", testdata("export-1.json"), "-max-missing", "NaN"}, 2, "-max-missing"},
		{"no forecast", nil, nil, 2, "-forecast"},
		{"no api key", []string{"CLARI_FORECAST_ID=net_bookings"}, nil, 2, "CLARI_API_KEY"},
		{"extra argument", nil, []string{"-export-file", testdata("export-1.json"), "extra"}, 2, "extra"},
		{"webhook without secret", []string{"WEBHOOK_URL=http://127.0.0.1:1/hook"}, []string{"-export-file", testdata("export-1.json")}, 2, "WEBHOOK_SECRET"},
		{"unreadable file", nil, []string{"-export-file", filepath.Join(dir, "missing.json"), "-store", store}, 1, "missing.json"},
		{"invalid export", nil, []string{"-export-file", bad, "-store", store}, 1, "bad.json"},
		{"per-owner file without period", nil, []string{"-export-file", testdata("owners-1.json"), "-store", store}, 1, "pass -period"},
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

// writePartialExport writes export-1.json with the entries of its first
// keep users only, and returns the file's path.
func writePartialExport(t *testing.T, keep int) string {
	t.Helper()
	body, err := os.ReadFile(testdata("export-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var export map[string]any
	if err := json.Unmarshal(body, &export); err != nil {
		t.Fatal(err)
	}
	users := map[any]bool{}
	var kept []any
	for _, e := range export["entries"].([]any) {
		user := e.(map[string]any)["userId"]
		if !users[user] && len(users) == keep {
			continue
		}
		users[user] = true
		kept = append(kept, e)
	}
	export["entries"] = kept
	path := filepath.Join(t.TempDir(), "partial.json")
	out, err := json.Marshal(export)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMaxMissingAcceptsPartialExport(t *testing.T) {
	store := t.TempDir()
	partial := writePartialExport(t, 10)
	if _, stderr, code := runProgram(t, nil, "-export-file", testdata("export-1.json"), "-store", store); code != 0 {
		t.Fatalf("baseline: exit %d: %s", code, stderr)
	}

	_, stderr, code := runProgram(t, nil, "-export-file", partial, "-store", store)
	if code != 1 {
		t.Errorf("partial export with the default limit: exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "suspicious export") || !strings.Contains(stderr, "-max-missing") {
		t.Errorf("partial export error does not name the guard and its flag:\n%s", stderr)
	}

	stdout, stderr, code := runProgram(t, nil, "-export-file", partial, "-store", store, "-max-missing", "100")
	if code != 0 {
		t.Fatalf("partial export with -max-missing 100: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Reps removed") {
		t.Errorf("accepted partial export does not report the removed reps:\n%s", stdout)
	}
}

func TestNotifierFailuresOneLine(t *testing.T) {
	receiver := slacktest.NewServer(nil)
	t.Cleanup(receiver.Close)
	env := []string{
		// Both paths are unknown to the receiver, so both notifiers get a
		// 404 that they do not retry.
		"SLACK_WEBHOOK_URL=" + receiver.URL + "/services/T0/B0/slackpathsecret",
		"WEBHOOK_URL=" + receiver.URL + "/hooks/webhookpathsecret",
		"WEBHOOK_SECRET=whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
	}
	store := t.TempDir()
	if _, stderr, code := runProgram(t, env, "-export-file", testdata("export-1.json"), "-store", store); code != 0 {
		t.Fatalf("baseline: exit %d: %s", code, stderr)
	}

	stdout, stderr, code := runProgram(t, env, "-export-file", testdata("export-2.json"), "-store", store)
	if code != 1 {
		t.Errorf("exit status = %d, want 1", code)
	}
	if lines := strings.Count(stderr, "\n"); lines != 1 {
		t.Errorf("stderr has %d lines, want 1:\n%s", lines, stderr)
	}
	if !strings.Contains(stderr, "slack") || !strings.Contains(stderr, "webhook") {
		t.Errorf("stderr does not name both failed notifiers:\n%s", stderr)
	}
	for _, secret := range []string{"slackpathsecret", "webhookpathsecret", "c2VjcmV0"} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("output contains the secret %q:\n%s%s", secret, stdout, stderr)
		}
	}
}

func TestEveryStopsOnSignal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT or SIGTERM delivery on Windows")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), binary,
				"-export-file", testdata("export-1.json"), "-store", t.TempDir(), "-every", "1h")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "CLARIWATCH_LOG_LEVEL=info"}
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderrPipe, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}

			// The loop logs "waiting for the next tick" after the first
			// tick, so the signal arrives during the wait.
			lines := bufio.NewScanner(stderrPipe)
			var logs strings.Builder
			for lines.Scan() {
				logs.WriteString(lines.Text() + "\n")
				if strings.Contains(lines.Text(), "waiting for the next tick") {
					break
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for lines.Scan() {
				logs.WriteString(lines.Text() + "\n")
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("exit after %v: %v; logs:\n%s", sig, err, logs.String())
			}
			if !strings.Contains(logs.String(), "monitor loop stopped") {
				t.Errorf("logs lack the stop record:\n%s", logs.String())
			}
			if !strings.Contains(stdout.String(), "baseline:") {
				t.Errorf("stdout lacks the first tick's baseline line:\n%s", stdout.String())
			}
		})
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
		"alert of 6 change(s) not sent (no notifier configured)",
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
