package claritest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clariwatch/clariwatch/clari/claritest"
)

// send makes a raw request to srv, with the API key unless key is "".
func send(t *testing.T, srv *claritest.Server, method, path, key, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("apikey", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

func TestServerChecksAPIKey(t *testing.T) {
	srv := claritest.NewServer(t)
	for _, key := range []string{"", "wrong"} {
		if status, _, _ := send(t, srv, "GET", "/export/jobs", key, ""); status != http.StatusUnauthorized {
			t.Errorf("key %q: status %d, want 401", key, status)
		}
	}
	if status, _, _ := send(t, srv, "GET", "/export/jobs", srv.APIKey, ""); status != http.StatusOK {
		t.Errorf("right key: status %d, want 200", status)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Authorized || !reqs[2].Authorized || reqs[0].Status != 401 {
		t.Errorf("requests = %+v, want two rejected then one authorized", reqs)
	}
}

func TestServerFaultsAreQueued(t *testing.T) {
	srv := claritest.NewServer(t)
	srv.Inject(claritest.Limits, claritest.RateLimited("3"), claritest.ServerError(503))
	var got []string
	for range 3 {
		status, h, _ := send(t, srv, "GET", "/admin/limits", srv.APIKey, "")
		got = append(got, fmt.Sprintf("%d %s", status, h.Get("Retry-After")))
	}
	want := []string{"429 3", "503 ", "200 "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("responses (-want +got):\n%s", diff)
	}
	if n := srv.Count(claritest.Limits); n != 3 {
		t.Errorf("Count = %d, want 3", n)
	}
}

func TestServerRelabelsPeriod(t *testing.T) {
	body := `{"timePeriods":[{"timePeriodId":"2025_Q3","year":2025}],"entries":[{"timePeriodId":"2025_Q3","forecastValue":1.10}]}`
	srv := claritest.NewServer(t, claritest.WithExports([]byte(body)), claritest.WithPollsToDone(1))
	_, _, out := send(t, srv, "POST", "/export/forecast/f", srv.APIKey, `{"timePeriod":"2024_Q1"}`)
	var start struct{ JobID string }
	if err := json.Unmarshal(out, &start); err != nil {
		t.Fatal(err)
	}
	send(t, srv, "GET", "/export/jobs/"+start.JobID, srv.APIKey, "")
	status, _, results := send(t, srv, "GET", "/export/jobs/"+start.JobID+"/results", srv.APIKey, "")
	if status != 200 {
		t.Fatalf("results status %d", status)
	}
	if strings.Contains(string(results), "2025_Q3") || !strings.Contains(string(results), `"forecastValue":1.10`) {
		t.Errorf("results = %s, want period 2024_Q1 and the number kept as written", results)
	}
}

func TestServerStringHidesKey(t *testing.T) {
	srv := claritest.NewServer(nil, claritest.WithAPIKey("top-secret-key"))
	defer srv.Close()
	for _, s := range []string{fmt.Sprint(srv), fmt.Sprintf("%v", srv.LogValue())} {
		if strings.Contains(s, "top-secret-key") {
			t.Errorf("%q contains the API key", s)
		}
	}
}
