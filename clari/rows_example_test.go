package clari_test

import (
	"fmt"
	"strings"

	"github.com/clariwatch/clariwatch/clari"
)

func ExampleExport_Rows() {
	const export = `{
	  "timePeriods": [{"timePeriodId": "2025_Q3"}],
	  "fields": [{"fieldId": "commit", "fieldName": "Commit"}],
	  "users": [{"userId": 2915, "email": "ana.rep@example.com", "name": "Ana Rep"}],
	  "entries": [
	    {"timePeriodId": "2025_Q3", "timeFrameId": "9", "userId": "2915", "fieldId": "commit", "forecastValue": 100000},
	    {"timePeriodId": "2025_Q3", "timeFrameId": "10", "userId": "2915", "fieldId": "commit", "forecastValue": "125000.50"},
	    {"timePeriodId": "2025_Q3", "timeFrameId": "11", "userId": "2915", "fieldId": "commit", "forecastValue": null}
	  ]
	}`
	e, err := clari.Decode(strings.NewReader(export))
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := e.Rows()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r.Period, r.OwnerID, r.Email, r.FieldName, r.Value)
	}
	// Output:
	// 2025_Q3 2915 ana.rep@example.com Commit 125000.5
}

func ExampleDecode_truncated() {
	_, err := clari.Decode(strings.NewReader(`{"entries": [{"forecastValue": 1}, {"userId": "29`))
	fmt.Println(err)
	// Output:
	// clari: invalid export at byte 49 (entries[1].userId): truncated input: unexpected EOF
}
