package copilot_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/clariwatch/clariwatch/copilot"
)

func TestAPIErrorMessageValidUTF8(t *testing.T) {
	const key, password = "key-\xff", "password"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("bad \xff\xfe input for key-\xff"))
	}))
	t.Cleanup(srv.Close)
	c, err := copilot.NewClient(key, password, copilot.WithBaseURL(srv.URL), copilot.WithRetry(fastRetry))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	_, err = c.Users(t.Context())
	var apiErr *copilot.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("Users error = %v, want an *APIError", err)
	}
	if !utf8.ValidString(apiErr.Message) {
		t.Errorf("Message = %q, want valid UTF-8", apiErr.Message)
	}
	if want := "bad \uFFFD input for [REDACTED]"; apiErr.Message != want {
		t.Errorf("Message = %q, want %q", apiErr.Message, want)
	}
}
