package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/clariwatch/clariwatch/diff"
)

// Format selects the output of a [Writer].
type Format int

// The writer formats.
const (
	// FormatText writes [Message.PlainText] followed by a blank line.
	FormatText Format = iota
	// FormatJSON writes one [JSONMessage] per line.
	FormatJSON
)

// JSONMessage is the JSON form of a message, written by the writer's JSON
// format and posted by [Webhook]. Report uses the diff package's JSON field
// names.
type JSONMessage struct {
	Key      string       `json:"key,omitempty"`
	Title    string       `json:"title,omitempty"`
	Text     string       `json:"text,omitempty"`
	Sections []Section    `json:"sections,omitempty"`
	Report   *diff.Report `json:"report,omitempty"`
}

// MarshalMessage returns the [JSONMessage] encoding of m.
func MarshalMessage(m *Message) ([]byte, error) {
	b, err := json.Marshal(JSONMessage{
		Key: m.Key, Title: m.Title, Text: m.Text, Sections: m.Sections, Report: m.Report,
	})
	if err != nil {
		return nil, fmt.Errorf("notify: encoding message %q as JSON: %w", m.Key, err)
	}
	return b, nil
}

// Writer is a notifier that writes each message to an io.Writer, as text
// or as one JSON object per line. It is safe for concurrent use: each
// message is written with one Write call under a lock.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	format Format
	name   string
}

var _ Notifier = (*Writer)(nil)

// NewWriter returns a notifier that writes to w in the given format.
func NewWriter(w io.Writer, format Format) *Writer {
	return &Writer{w: w, format: format, name: "writer"}
}

// Name returns "writer", the name used in [Multi] errors.
func (w *Writer) Name() string { return w.name }

// Notify writes m. It checks ctx only before writing.
func (w *Writer) Notify(ctx context.Context, m *Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkMessage(m); err != nil {
		return err
	}
	var out []byte
	switch w.format {
	case FormatJSON:
		b, err := MarshalMessage(m)
		if err != nil {
			return err
		}
		out = append(b, '\n')
	case FormatText:
		out = []byte(m.PlainText() + "\n")
	default:
		return fmt.Errorf("notify: unknown writer format %d: use FormatText or FormatJSON", w.format)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.w.Write(out); err != nil {
		return fmt.Errorf("notify: writing message %q: %w", m.Key, err)
	}
	return nil
}

// PlainText renders m as human-readable text: the title, then the text
// when m has no sections, then each section with its fields and lines
// indented. The result ends with a newline.
func (m *Message) PlainText() string {
	var b strings.Builder
	if m.Title != "" {
		b.WriteString(m.Title + "\n")
	}
	if m.Text != "" && len(m.Sections) == 0 {
		b.WriteString(m.Text + "\n")
	}
	for _, s := range m.Sections {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if s.Heading != "" {
			b.WriteString(s.Heading + "\n")
		}
		if s.Text != "" {
			b.WriteString(s.Text + "\n")
		}
		for _, f := range s.Fields {
			b.WriteString("  " + f.Name + ": " + f.Value + "\n")
		}
		for _, l := range s.Lines {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}
