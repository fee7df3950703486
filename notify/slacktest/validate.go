package slacktest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Slack's limits, as this package checks them. Lengths count UTF-16 code
// units, which is never less than Slack's count of characters.
const (
	MaxBlocks       = 50
	MaxHeaderText   = 150
	MaxSectionText  = 3000
	MaxFields       = 10
	MaxFieldText    = 2000
	MaxContextItems = 10
	MaxBlockID      = 255
	// MaxStrictText is the top-level text length that the strict check
	// allows: Slack may split longer texts into several messages.
	MaxStrictText = 4000
)

// Payload is a decoded incoming-webhook message.
type Payload struct {
	Text   string  `json:"text"`
	Blocks []Block `json:"blocks,omitempty"`
	Mrkdwn *bool   `json:"mrkdwn,omitempty"`
}

// Block is a Block Kit block of the types this package validates: header,
// section, context and divider.
type Block struct {
	Type     string `json:"type"`
	BlockID  string `json:"block_id,omitempty"`
	Text     *Text  `json:"text,omitempty"`
	Fields   []Text `json:"fields,omitempty"`
	Elements []Text `json:"elements,omitempty"`
}

// Text is a Block Kit text object.
type Text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// ValidationError is a payload that Slack would reject. Code is the error
// code in Slack's response body, such as "invalid_payload", "no_text" or
// "invalid_blocks".
type ValidationError struct {
	Code   string
	Reason string
}

// Error returns the Slack error code and the reason.
func (e *ValidationError) Error() string {
	return "slacktest: " + e.Code + ": " + e.Reason
}

func invalid(code, format string, args ...any) *ValidationError {
	return &ValidationError{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// Validate decodes body and checks it against Slack's rules for incoming
// webhooks: valid JSON, a text or blocks, at most 50 blocks, header text
// at most 150 characters, section text at most 3000, at most 10 fields of
// 2000 each. It returns the payload, or a *ValidationError.
func Validate(body []byte) (*Payload, error) {
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, invalid("invalid_payload", "body is not a JSON object: %v", err)
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Blocks) == 0 {
		return nil, invalid("no_text", "payload has neither text nor blocks")
	}
	if len(p.Blocks) > MaxBlocks {
		return nil, invalid("invalid_blocks", "%d blocks, more than %d", len(p.Blocks), MaxBlocks)
	}
	for i, b := range p.Blocks {
		if err := validateBlock(b); err != nil {
			err.Reason = fmt.Sprintf("block %d (%s): %s", i, b.Type, err.Reason)
			return nil, err
		}
	}
	return &p, nil
}

// ValidateStrict runs [Validate] and also checks what Slack accepts but
// handles badly: an empty or over-long top-level text, and unescaped &, <
// or > in mrkdwn text, which Slack would read as markup.
func ValidateStrict(body []byte) (*Payload, error) {
	p, err := Validate(body)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(p.Text) == "" {
		return nil, invalid("no_text", "top-level text is empty; mobile notifications show only it")
	}
	if n := Len(p.Text); n > MaxStrictText {
		return nil, invalid("invalid_payload", "top-level text has %d characters, more than %d", n, MaxStrictText)
	}
	if err := checkEscaped(p.Text); err != nil {
		return nil, invalid("invalid_payload", "top-level text: %v", err)
	}
	for i, b := range p.Blocks {
		for _, t := range b.texts() {
			if t.Type != "mrkdwn" {
				continue
			}
			if err := checkEscaped(t.Text); err != nil {
				return nil, invalid("invalid_blocks", "block %d (%s): %v", i, b.Type, err)
			}
		}
	}
	return p, nil
}

func (b Block) texts() []Text {
	var ts []Text
	if b.Text != nil {
		ts = append(ts, *b.Text)
	}
	ts = append(ts, b.Fields...)
	return append(ts, b.Elements...)
}

func validateBlock(b Block) *ValidationError {
	if Len(b.BlockID) > MaxBlockID {
		return invalid("invalid_blocks", "block_id longer than %d", MaxBlockID)
	}
	switch b.Type {
	case "divider":
		return nil
	case "header":
		if b.Text == nil || b.Text.Type != "plain_text" {
			return invalid("invalid_blocks", "header needs a plain_text text")
		}
		return checkText(*b.Text, MaxHeaderText)
	case "section":
		return validateSection(b)
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > MaxContextItems {
			return invalid("invalid_blocks", "context has %d elements, want 1 to %d", len(b.Elements), MaxContextItems)
		}
		for _, e := range b.Elements {
			if err := checkText(e, MaxSectionText); err != nil {
				return err
			}
		}
		return nil
	}
	return invalid("invalid_blocks", "unknown block type %q", b.Type)
}

func validateSection(b Block) *ValidationError {
	if b.Text == nil && len(b.Fields) == 0 {
		return invalid("invalid_blocks", "section needs text or fields")
	}
	if b.Text != nil {
		if err := checkText(*b.Text, MaxSectionText); err != nil {
			return err
		}
	}
	if len(b.Fields) > MaxFields {
		return invalid("invalid_blocks", "section has %d fields, more than %d", len(b.Fields), MaxFields)
	}
	for _, f := range b.Fields {
		if err := checkText(f, MaxFieldText); err != nil {
			return err
		}
	}
	return nil
}

func checkText(t Text, limit int) *ValidationError {
	if t.Type != "plain_text" && t.Type != "mrkdwn" {
		return invalid("invalid_blocks", "text type %q, want plain_text or mrkdwn", t.Type)
	}
	if strings.TrimSpace(t.Text) == "" {
		return invalid("invalid_blocks", "empty text")
	}
	if n := Len(t.Text); n > limit {
		return invalid("invalid_blocks", "text has %d characters, more than %d", n, limit)
	}
	return nil
}

// checkEscaped reports a <, > or an & that does not start &amp;, &lt; or
// &gt;.
func checkEscaped(s string) error {
	if i := strings.IndexAny(s, "<>"); i >= 0 {
		return fmt.Errorf("unescaped %q at byte %d", s[i], i)
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			continue
		}
		rest := s[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			return fmt.Errorf("unescaped '&' at byte %d", i)
		}
	}
	return nil
}

// Len returns the length of s in UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
