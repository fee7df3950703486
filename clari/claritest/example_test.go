package claritest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/clari/claritest"
)

// The emulator runs a whole export: start, polls, download and decode.
func Example() {
	srv := claritest.NewServer(nil, claritest.WithPollsToDone(2))
	defer srv.Close()

	c, err := clari.NewClient(srv.APIKey, clari.WithBaseURL(srv.URL),
		clari.WithPollInterval(time.Millisecond, time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Export(context.Background(), "net_bookings", clari.ExportRequest{TimePeriod: "2026_Q1"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Job.Status, res.Export.TimePeriods[0].TimePeriodID, len(res.Export.Entries))
	fmt.Println("export POSTs:", srv.Count(claritest.StartExport))
	// Output:
	// DONE 2026_Q1 1
	// export POSTs: 1
}
