package notify_test

import (
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/notify"
)

// newNotifierFuncs builds a Slack and a webhook sender for one URL.
var newNotifierFuncs = map[string]func(string) error{
	"slack": func(u string) error {
		_, err := notify.NewSlack(u, nil)
		return err
	},
	"webhook": func(u string) error {
		_, err := notify.NewWebhook(u, &notify.WebhookOptions{SecretBytes: []byte("0123456789abcdef0123456789abcdef")})
		return err
	},
}

func TestNotifierRejectsRemoteHTTP(t *testing.T) {
	tests := []struct {
		url      string
		wantHost string
	}{
		{"http://hooks.slack.com/services/T0/B0/SECRETPATH?token=SECRETQUERY", `"hooks.slack.com"`},
		{"http://10.0.0.5:8080/SECRETPATH", `"10.0.0.5"`},
		{"http://[2001:db8::1]/SECRETPATH", `"2001:db8::1"`},
		{"http://localhost.example.com/SECRETPATH", `"localhost.example.com"`},
	}
	for name, build := range newNotifierFuncs {
		for _, tt := range tests {
			t.Run(name+" "+tt.wantHost, func(t *testing.T) {
				err := build(tt.url)
				if err == nil {
					t.Fatalf("%s(%q) succeeded, want an error", name, tt.url)
				}
				msg := err.Error()
				if strings.Contains(msg, "SECRET") {
					t.Errorf("error %q shows the URL's path or query", msg)
				}
				if !strings.Contains(msg, tt.wantHost) {
					t.Errorf("error %q does not name the host %s", msg, tt.wantHost)
				}
				if !strings.Contains(msg, "use https") {
					t.Errorf("error %q does not say to use https", msg)
				}
			})
		}
	}
}

func TestNotifierAcceptsLoopbackHTTP(t *testing.T) {
	urls := []string{
		"https://hooks.slack.com/services/T0/B0/X",
		"http://127.0.0.1:8080/hook",
		"http://127.1.2.3/hook",
		"http://[::1]:9000/hook",
		"http://localhost/hook",
		"http://LOCALHOST:80/hook",
	}
	for name, build := range newNotifierFuncs {
		for _, u := range urls {
			t.Run(name+" "+u, func(t *testing.T) {
				if err := build(u); err != nil {
					t.Errorf("%s(%q): %v", name, u, err)
				}
			})
		}
	}
}
