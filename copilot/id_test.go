package copilot_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clariwatch/clariwatch/copilot"
	"github.com/google/go-cmp/cmp"
)

func TestIDUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want copilot.ID
	}{
		{"string", `"c-1"`, "c-1"},
		{"numeric string", `"12345"`, "12345"},
		{"integer", `12345`, "12345"},
		{"negative", `-7`, "-7"},
		{"large integer keeps digits", `123456789012345678901234567890`, "123456789012345678901234567890"},
		{"exponent kept as written", `1e3`, "1e3"},
		{"null keeps the old value", `null`, "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := copilot.ID("old")
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Unmarshal(%s) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIDUnmarshalRejectsOtherTypes(t *testing.T) {
	for _, in := range []string{`true`, `{}`, `[1]`} {
		t.Run(in, func(t *testing.T) {
			var id copilot.ID
			if err := json.Unmarshal([]byte(in), &id); err == nil {
				t.Errorf("Unmarshal(%s) = %q, want an error", in, id)
			}
		})
	}
}

func TestIDMarshalsAsString(t *testing.T) {
	var id copilot.ID
	if err := json.Unmarshal([]byte(`42`), &id); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	b, err := json.Marshal(copilot.Call{ID: id, Status: copilot.StatusProcessed})
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := `{"id":"42","status":"PROCESSED"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
}

func TestListCallsAcceptsNumericIDs(t *testing.T) {
	const page = `{"calls":[{"id":12345,"source_id":99,"status":"PROCESSED",` +
		`"users":[{"userId":7,"personId":8}],"externalParticipants":[{"personId":9}],` +
		`"crm_info":{"deal_id":10,"account_id":"a-11","contact_ids":[12,"c-13"]}},` +
		`{"id":"c-2","status":"PROCESSED"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	c, err := copilot.NewClient("key", "password", copilot.WithBaseURL(srv.URL), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	got, err := c.ListCalls(t.Context(), nil)
	if err != nil {
		t.Fatalf("ListCalls: %v", err)
	}
	want := []copilot.Call{
		{
			ID: "12345", SourceID: "99", Status: "PROCESSED",
			Users:                []copilot.CallUser{{UserID: "7", PersonID: "8"}},
			ExternalParticipants: []copilot.Participant{{PersonID: "9"}},
			CRMInfo:              &copilot.CRMInfo{DealID: "10", AccountID: "a-11", ContactIDs: []copilot.ID{"12", "c-13"}},
		},
		{ID: "c-2", Status: "PROCESSED"},
	}
	if diff := cmp.Diff(want, got.Calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestUsersAcceptNumericIDs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"users":[{"id":5,"email":"a@example.com","manager_id":6}]}`))
	}))
	t.Cleanup(srv.Close)
	c, err := copilot.NewClient("key", "password", copilot.WithBaseURL(srv.URL), copilot.WithRateLimit(math.Inf(1)))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	got, err := c.Users(t.Context())
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	want := []copilot.User{{ID: "5", Email: "a@example.com", ManagerID: "6"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
}
