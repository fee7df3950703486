package clariwatch_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch"
	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
	"github.com/clariwatch/clariwatch/diff"
	"github.com/clariwatch/clariwatch/notify"
	"github.com/clariwatch/clariwatch/snapshot"
)

// genExport returns a Clari-shape export of users × 4 fields × weeks
// entries; every 50th (user, field) of the last week moves by shift.
func genExport(users, weeks int, shift int) []byte {
	fields := []string{"commit", "best_case", "pipeline", "closed"}
	var b strings.Builder
	b.WriteString(`{"entries":[`)
	first := true
	for u := range users {
		for f, field := range fields {
			for w := range weeks {
				v := 1000 + u*7 + f*3
				if w == weeks-1 && (u*4+f)%50 == 0 {
					v += shift * v / 100
				}
				if !first {
					b.WriteByte(',')
				}
				first = false
				fmt.Fprintf(&b, `{"timePeriodId":"2026_Q4","timeFrameId":"%d","userId":"%d","fieldId":"%s","forecastValue":%d.25,"currency":"USD","isUpdated":false}`,
					w, 10000+u, field, v)
			}
		}
	}
	b.WriteString(`],"users":[`)
	for u := range users {
		if u > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"userId":"%d","email":"rep%d@example.com","name":"Rep %d"}`, 10000+u, u, u)
	}
	b.WriteString(`],"fields":[{"fieldId":"commit","fieldName":"Commit"},{"fieldId":"best_case","fieldName":"Best Case"},` +
		`{"fieldId":"pipeline","fieldName":"Pipeline"},{"fieldId":"closed","fieldName":"Closed Won"}],` +
		`"timePeriods":[{"timePeriodId":"2026_Q4"}]}`)
	return []byte(b.String())
}

// BenchmarkTick1M runs one tick on an export of 1M entries (20,000 users,
// 4 fields, 12.5 weeks on average) through the emulator against a head of
// the same size, with a FileStore, and reports the time of each step.
func BenchmarkTick1M(b *testing.B) {
	head := genExport(20000, 12, 0)
	cur := genExport(20000, 13, 20)
	b.Logf("head %d bytes, current %d bytes", len(head), len(cur))
	srv := claritest.NewServer(b, claritest.WithExports(cur), claritest.WithPollsToDone(1))
	client, err := clari.NewClient(srv.APIKey, clari.WithBaseURL(srv.URL),
		clari.WithPollInterval(time.Millisecond, time.Millisecond), clari.WithMaxDownloadSize(1<<30))
	if err != nil {
		b.Fatal(err)
	}
	var steps [5]time.Duration
	for b.Loop() {
		b.StopTimer()
		store, err := snapshot.OpenFileStore(b.Context(), b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		m, err := store.Put(b.Context(), snapshot.Meta{Key: e2eStream}, bytes.NewReader(head))
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Advance(b.Context(), e2eStream, "", m.ID); err != nil {
			b.Fatal(err)
		}
		mon, err := clariwatch.NewMonitor(clariwatch.Config{
			Source: &clariwatch.ClariSource{Client: client, ForecastID: "net_bookings"},
			Store:  store, ForecastID: "net_bookings",
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := mon.Tick(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if len(res.Report.Changes) == 0 {
			b.Fatal("no changes")
		}
		steps = addSteps(b, steps, client, store, head)
		store.Close()
		b.StartTimer()
	}
	names := []string{"fetch-ms", "decode-ms", "store-ms", "diff-ms", "render-ms"}
	for i, d := range steps {
		b.ReportMetric(float64(d.Milliseconds())/float64(b.N), names[i])
	}
}

// addSteps times the steps of a tick one by one: fetch (start, poll,
// download and decode), decode alone, store, diff (rows of both exports
// and Compute) and render.
func addSteps(b *testing.B, steps [5]time.Duration, client *clari.Client, store *snapshot.FileStore, head []byte) [5]time.Duration {
	t0 := time.Now()
	res, err := client.Export(b.Context(), "net_bookings", clari.ExportRequest{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	if _, err := clari.DecodeBytes(res.Body); err != nil {
		b.Fatal(err)
	}
	t2 := time.Now()
	if _, err := store.Put(b.Context(), snapshot.Meta{Key: e2eStream}, bytes.NewReader(res.Body)); err != nil {
		b.Fatal(err)
	}
	t3 := time.Now()
	prev, _ := clari.ReadOptions{}.Read(bytes.NewReader(head))
	prows, _ := prev.Rows()
	crows, _ := res.Export.Rows()
	rep, err := diff.Compute(prows, crows, nil)
	if err != nil {
		b.Fatal(err)
	}
	t4 := time.Now()
	notify.RenderReport(rep, nil)
	t5 := time.Now()
	steps[0] += t1.Sub(t0)
	steps[1] += t2.Sub(t1)
	steps[2] += t3.Sub(t2)
	steps[3] += t4.Sub(t3)
	steps[4] += t5.Sub(t4)
	return steps
}
