package copilot

import (
	"bytes"
	"encoding/json"
)

// rawSubscriptions decodes a subscription list sent either as
// {"subscriptions": [...]} or as a bare array, since the real shape is
// not documented.
type rawSubscriptions struct {
	list []Subscription
}

func (r *rawSubscriptions) UnmarshalJSON(b []byte) error {
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '[' {
		return json.Unmarshal(trimmed, &r.list)
	}
	var wrapped struct {
		Subscriptions []Subscription `json:"subscriptions"`
	}
	if err := json.Unmarshal(b, &wrapped); err != nil {
		return err
	}
	r.list = wrapped.Subscriptions
	return nil
}
