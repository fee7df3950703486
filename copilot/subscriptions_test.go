package copilot_test

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/clariwatch/clariwatch/copilot/copilottest"
	"github.com/google/go-cmp/cmp"
)

func setupSubscriptions(t *testing.T, token string) (*copilottest.Server, *copilot.SubscriptionClient) {
	t.Helper()
	srv := copilottest.NewServer(nil)
	t.Cleanup(srv.Close)
	s, err := copilot.NewSubscriptionClient(token, copilot.WithBaseURL(srv.SubscriptionURL()),
		copilot.WithRetry(fastRetry), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatalf("NewSubscriptionClient: %v", err)
	}
	return srv, s
}

func TestSubscriptionLifecycle(t *testing.T) {
	_, s := setupSubscriptions(t, copilottest.DefaultToken)
	events := []string{copilot.EventCallCompleted, copilot.EventCallAnalyzed}
	sub, err := s.Register(t.Context(), "https://hooks.example.com/copilot", events)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if sub.ID == "" {
		t.Fatal("Register returned an empty id")
	}
	list, err := s.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []copilot.Subscription{{ID: sub.ID, URL: "https://hooks.example.com/copilot", Events: events}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if err := s.Delete(t.Context(), sub.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete(t.Context(), sub.ID); !errors.Is(err, copilot.ErrNotFound) {
		t.Errorf("second Delete error = %v, want ErrNotFound", err)
	}
}

func TestRegisterRejectsBeforeSending(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		events []string
	}{
		{"plain http remote", "http://hooks.example.com/x", []string{"call.completed"}},
		{"no scheme", "hooks.example.com/x", []string{"call.completed"}},
		{"unknown event", "https://hooks.example.com/x", []string{"call.created"}},
		{"no events", "https://hooks.example.com/x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := setupSubscriptions(t, copilottest.DefaultToken)
			_, err := s.Register(t.Context(), tt.url, tt.events)
			if err == nil {
				t.Fatal("Register returned no error")
			}
			if n := srv.Requests(); n != 0 {
				t.Errorf("server got %d requests, want 0", n)
			}
			verr := copilot.ValidateSubscription(tt.url, tt.events)
			if verr == nil || verr.Error() != err.Error() {
				t.Errorf("ValidateSubscription = %v, want the Register error %v", verr, err)
			}
		})
	}
	_, s := setupSubscriptions(t, copilottest.DefaultToken)
	for _, u := range []string{"http://127.0.0.1:9000/hook", "http://[::1]/hook", "http://localhost/hook"} {
		if err := copilot.ValidateSubscription(u, []string{copilot.EventCallAnalyzed}); err != nil {
			t.Errorf("ValidateSubscription(%q): %v", u, err)
		}
		if _, err := s.Register(t.Context(), u, []string{copilot.EventCallAnalyzed}); err != nil {
			t.Errorf("Register(%q): %v", u, err)
		}
	}
}

func TestSubscriptionErrors(t *testing.T) {
	t.Run("bad token", func(t *testing.T) {
		_, s := setupSubscriptions(t, "wrong-token-91ab")
		_, err := s.List(t.Context())
		if !errors.Is(err, copilot.ErrUnauthorized) {
			t.Errorf("List error = %v, want ErrUnauthorized", err)
		}
		if err != nil && strings.Contains(err.Error(), "wrong-token-91ab") {
			t.Errorf("error %q contains the token", err)
		}
	})
	t.Run("register not retried on 500", func(t *testing.T) {
		srv, s := setupSubscriptions(t, copilottest.DefaultToken)
		srv.FailNext(copilottest.Fault{Status: 500})
		if _, err := s.Register(t.Context(), "https://hooks.example.com/x", []string{"call.completed"}); err == nil {
			t.Fatal("Register returned no error")
		}
		if n := srv.Requests(); n != 1 {
			t.Errorf("requests = %d, want 1", n)
		}
	})
	t.Run("register retried on 429", func(t *testing.T) {
		srv, s := setupSubscriptions(t, copilottest.DefaultToken)
		srv.FailNext(copilottest.Fault{Status: 429, RetryAfter: "0"})
		if _, err := s.Register(t.Context(), "https://hooks.example.com/x", []string{"call.completed"}); err != nil {
			t.Fatalf("Register: %v", err)
		}
	})
	if _, err := copilot.NewSubscriptionClient(""); err == nil {
		t.Error("NewSubscriptionClient with no token returned no error")
	}
}

func TestSubscriptionErrorsNameOperation(t *testing.T) {
	tests := []struct {
		name string
		call func(*copilot.SubscriptionClient) error
		want string
	}{
		{"register", func(s *copilot.SubscriptionClient) error {
			_, err := s.Register(t.Context(), "https://hooks.example.com/x", []string{copilot.EventCallCompleted})
			return err
		}, "copilot: register subscription: "},
		{"list", func(s *copilot.SubscriptionClient) error {
			_, err := s.List(t.Context())
			return err
		}, "copilot: list subscriptions: "},
		{"delete", func(s *copilot.SubscriptionClient) error {
			return s.Delete(t.Context(), "sub-1")
		}, "copilot: delete subscription: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := setupSubscriptions(t, copilottest.DefaultToken)
			srv.FailNext(copilottest.Fault{Status: http.StatusBadRequest})
			err := tt.call(s)
			if err == nil {
				t.Fatal("no error from a 400 response")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want the prefix %q", err, tt.want)
			}
		})
	}
}
