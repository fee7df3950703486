package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/copilot/copilottest"
)

func TestRegisterListDelete(t *testing.T) {
	srv := copilottest.NewServer(nil)
	t.Cleanup(srv.Close)
	env := func(k string) string {
		if k == "COPILOT_WEBHOOK_TOKEN" {
			return copilottest.DefaultToken
		}
		return ""
	}
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := realMain(t.Context(), append(args, "-endpoint", srv.SubscriptionURL()), env, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, stderr := runCmd("-url", "https://hooks.example.com/copilot", "-events", "call.completed")
	if code != 0 || !strings.HasPrefix(out, "registered sub_1 for call.completed") {
		t.Fatalf("register: code %d, out %q, stderr %q", code, out, stderr)
	}
	code, out, _ = runCmd("-list")
	if code != 0 || out != "sub_1\thttps://hooks.example.com/copilot\tcall.completed\n" {
		t.Errorf("list: code %d, out %q", code, out)
	}
	if code, out, _ = runCmd("-delete", "sub_1"); code != 0 || out != "deleted sub_1\n" {
		t.Errorf("delete: code %d, out %q", code, out)
	}

	failures := []struct {
		name string
		args []string
		code int
	}{
		{"delete unknown", []string{"-delete", "sub_9"}, 1},
		{"unknown event", []string{"-url", "https://h.example.com", "-events", "call.created"}, 2},
		{"no events", []string{"-url", "https://h.example.com", "-events", " , "}, 2},
		{"plain http target", []string{"-url", "http://h.example.com"}, 2},
		{"relative target", []string{"-url", "hooks.example.com/x"}, 2},
		{"no action", nil, 2},
		{"two actions", []string{"-list", "-delete", "x"}, 2},
		{"unknown flag", []string{"-nope"}, 2},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			code, _, stderr := runCmd(f.args...)
			if code != f.code {
				t.Errorf("exit code %d, want %d", code, f.code)
			}
			if lines := strings.Count(stderr, "\n"); lines != 1 || !strings.HasPrefix(stderr, "copilot-register: ") {
				t.Errorf("stderr = %q, want one copilot-register line", stderr)
			}
			if strings.Contains(stderr, copilottest.DefaultToken) {
				t.Errorf("stderr contains the token: %q", stderr)
			}
		})
	}
	var errOut bytes.Buffer
	if code := realMain(t.Context(), []string{"-list"}, func(string) string { return "" }, &bytes.Buffer{}, &errOut); code != 2 {
		t.Errorf("missing token: exit code %d, want 2", code)
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	code := realMain(t.Context(), []string{"-h"}, func(string) string { return "" }, &out, &errOut)
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	for _, want := range []string{"Usage: copilot-register", "COPILOT_WEBHOOK_TOKEN", "-endpoint"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("help text lacks %q:\n%s", want, errOut.String())
		}
	}
}
