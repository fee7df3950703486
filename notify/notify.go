// Package notify delivers alerts: forecast change reports from the diff
// package and call events from Clari Copilot.
//
// A [Notifier] sends one [Message]. The package provides a Slack
// incoming-webhook sender ([Slack]), a writer of text or JSON lines
// ([Writer]), a generic JSON webhook signed with the Standard Webhooks
// scheme ([Webhook]) and a fan-out ([Multi]). [RenderReport] turns a
// [diff.Report] into a Message.
//
// Webhook URLs and signing secrets are secrets: no error string or log line
// of this package contains a webhook URL's path or query, or a secret.
package notify

import (
	"context"
	"fmt"

	"github.com/clariwatch/clariwatch/diff"
)

// Notifier sends a message. Implementations are safe for concurrent use.
type Notifier interface {
	Notify(ctx context.Context, m *Message) error
}

// Message is one alert. Every string field is plain text: each notifier
// escapes it for its own format.
type Message struct {
	// Key identifies the delivery, such as stream, from-snapshot and
	// to-snapshot for a report. Receivers use it to drop repeats: the
	// generic webhook sends it as webhook-id.
	Key string
	// Title is the headline.
	Title string
	// Text is the short plain-text summary. Slack shows it in
	// notifications; a message without sections shows it as its body.
	Text string
	// Sections are the structured body, in order.
	Sections []Section
	// Report is the report the message was rendered from, or nil. The
	// writer's JSON format and the generic webhook send it as JSON.
	Report *diff.Report
}

// Section is one part of a message body: an optional heading, a paragraph,
// name-value fields and lines, shown in that order.
type Section struct {
	Heading string
	Text    string
	Fields  []Field
	Lines   []string
}

// Field is a name and a value, such as "Period" and "2026-Q3".
type Field struct {
	Name  string
	Value string
}

// Func adapts a function to [Notifier].
type Func func(ctx context.Context, m *Message) error

var _ Notifier = Func(nil)

// Notify calls f(ctx, m).
func (f Func) Notify(ctx context.Context, m *Message) error { return f(ctx, m) }

// Named returns a notifier that sends through n and carries the name used
// by [Multi] in its errors. Use a name that is not a secret, such as
// "slack #revops".
func Named(name string, n Notifier) Notifier {
	return &named{name: name, n: n}
}

type named struct {
	name string
	n    Notifier
}

func (n *named) Notify(ctx context.Context, m *Message) error { return n.n.Notify(ctx, m) }

func (n *named) Name() string { return n.name }

// nameOf returns the name of n: its Name method's result, or its type and
// position in a [Multi] list.
func nameOf(n Notifier, i int) string {
	if nn, ok := n.(interface{ Name() string }); ok && nn.Name() != "" {
		return nn.Name()
	}
	return fmt.Sprintf("notifier %d (%T)", i, n)
}

func checkMessage(m *Message) error {
	if m == nil {
		return fmt.Errorf("notify: nil message")
	}
	if m.Title == "" && m.Text == "" && len(m.Sections) == 0 {
		return fmt.Errorf("notify: empty message (key %q): set Title, Text or Sections", m.Key)
	}
	return nil
}
