package slacktest_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/clariwatch/clariwatch/notify/slacktest"
)

// FuzzValidate checks that any body either fails with a
// *ValidationError or decodes to a payload that validates again after
// encoding.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"text":"hello"}`))
	f.Add([]byte(`{"text":"t","blocks":[{"type":"header","text":{"type":"plain_text","text":"h"}}]}`))
	f.Add([]byte(`{"blocks":[{"type":"section","fields":[{"type":"mrkdwn","text":"*a*\nb"}]}]}`))
	f.Add([]byte(`{"blocks":[{"type":"context","elements":[{"type":"mrkdwn","text":"&amp;"}]}]}`))
	f.Add([]byte(`{"text":"\ud83d"}`))
	f.Add([]byte(`null`))
	f.Add([]byte("{\"text\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, validate := range []func([]byte) (*slacktest.Payload, error){slacktest.Validate, slacktest.ValidateStrict} {
			p, err := validate(body)
			if err != nil {
				var ve *slacktest.ValidationError
				if !errors.As(err, &ve) || ve.Code == "" {
					t.Fatalf("err = %v, want a *ValidationError with a code", err)
				}
				continue
			}
			again, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := validate(again); err != nil {
				t.Errorf("accepted %q, but its re-encoding %q fails: %v", body, again, err)
			}
		}
	})
}
