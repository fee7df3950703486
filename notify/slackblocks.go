package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Slack's message limits. Lengths count UTF-16 code units of the escaped
// text, which is never less than Slack's count of characters.
const (
	SlackMaxBlocks      = 50   // blocks per message
	SlackMaxSectionText = 3000 // characters in a section's text
	SlackMaxHeaderText  = 150  // characters in a header's plain_text
	SlackMaxFields      = 10   // fields in one section
	SlackMaxFieldText   = 2000 // characters in one section field
	// SlackMaxFallbackText is this package's limit for the top-level text
	// fallback, kept short because mobile notifications show only it.
	// Slack itself truncates text past 40,000 characters.
	SlackMaxFallbackText = 500
)

type slackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks,omitempty"`
}

type slackBlock struct {
	Type   string      `json:"type"`
	Text   *slackText  `json:"text,omitempty"`
	Fields []slackText `json:"fields,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// EscapeSlack escapes the three characters that Slack's mrkdwn treats as
// control characters: & as &amp;, < as &lt; and > as &gt;. It also
// replaces invalid UTF-8 with U+FFFD.
func EscapeSlack(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return slackEscaper.Replace(s)
}

// slackEscaper is built once: building a Replacer costs far more than
// one short Replace.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EncodeSlack renders m as one or more Slack incoming-webhook payloads,
// each within Slack's limits, to be sent in order. A message that does not
// fit one payload is split: long texts at line ends, long lines between
// characters, and blocks across payloads whose header and fallback text
// carry the part number, such as "(2/3)". Nothing is dropped.
func EncodeSlack(m *Message) ([][]byte, error) {
	if err := checkMessage(m); err != nil {
		return nil, err
	}
	content := contentBlocks(m)
	title := strings.TrimSpace(strings.ToValidUTF8(m.Title, "\uFFFD"))
	for perHeader := 1; perHeader < SlackMaxBlocks; perHeader++ {
		room := SlackMaxBlocks - perHeader
		parts := max(1, (len(content)+room-1)/room)
		out, ok := encodeParts(m, title, content, parts, room, perHeader)
		if ok {
			return out, nil
		}
	}
	return nil, fmt.Errorf("notify: message %q title is too long for a Slack message: keep it under %d characters",
		m.Key, SlackMaxSectionText)
}

// encodeParts splits content into parts payloads of at most room blocks
// plus a header. It reports false when a header needs more than maxHeader
// blocks.
func encodeParts(m *Message, title string, content []slackBlock, parts, room, maxHeader int) ([][]byte, bool) {
	out := make([][]byte, 0, parts)
	for i := range parts {
		suffix := ""
		if parts > 1 {
			suffix = fmt.Sprintf(" (%d/%d)", i+1, parts)
		}
		header := headerBlocks(title, suffix)
		if len(header) > maxHeader {
			return nil, false
		}
		end := min(len(content), (i+1)*room)
		blocks := append(header, content[min(i*room, end):end]...)
		p := slackPayload{Text: fallbackText(m, title, suffix), Blocks: blocks}
		b, err := json.Marshal(p)
		if err != nil {
			// Only strings and slices are encoded, so Marshal cannot fail.
			panic(err)
		}
		out = append(out, b)
	}
	return out, true
}

// headerBlocks returns a header block when the title fits one, else
// section blocks that show the whole title in bold.
func headerBlocks(title, suffix string) []slackBlock {
	if title == "" {
		if suffix == "" {
			return nil
		}
		return []slackBlock{sectionBlock("Part" + suffix)}
	}
	if t := title + suffix; utf16Len(t) <= SlackMaxHeaderText {
		return []slackBlock{{Type: "header", Text: &slackText{Type: "plain_text", Text: t}}}
	}
	var blocks []slackBlock
	for _, chunk := range splitText("*"+EscapeSlack(title)+"*"+suffix, SlackMaxSectionText) {
		blocks = append(blocks, sectionBlock(chunk))
	}
	return blocks
}

// fallbackText returns the escaped top-level text: m.Text, else the title,
// shortened to SlackMaxFallbackText. Shortening loses nothing because
// contentBlocks puts a long m.Text into the blocks as well.
func fallbackText(m *Message, title, suffix string) string {
	t := strings.TrimSpace(m.Text)
	if t == "" {
		t = title
	}
	if t == "" {
		t = "Notification"
	}
	t = EscapeSlack(t)
	limit := SlackMaxFallbackText - utf16Len(suffix)
	if utf16Len(t) > limit {
		t = strings.TrimSpace(hardSplit(t, limit-1)[0]) + "…"
	}
	return t + suffix
}

// partSuffixRoom is the room kept in the fallback text for a part suffix:
// " (n/n)" with numbers of up to 12 digits.
const partSuffixRoom = 28

func sectionBlock(text string) slackBlock {
	return slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: text}}
}

// contentBlocks returns the blocks of m after its header, each within the
// per-block limits.
func contentBlocks(m *Message) []slackBlock {
	var blocks []slackBlock
	text := strings.TrimSpace(m.Text)
	// fallbackText shortens the text to leave room for a part suffix such
	// as " (2/3)", so a text near the limit goes into the blocks too.
	if text != "" && (len(m.Sections) == 0 || utf16Len(EscapeSlack(text)) > SlackMaxFallbackText-partSuffixRoom) {
		blocks = appendText(blocks, []string{EscapeSlack(text)})
	}
	for _, s := range m.Sections {
		blocks = append(blocks, sectionBlocks(s)...)
	}
	return blocks
}

func sectionBlocks(s Section) []slackBlock {
	var head, lines []string
	if h := strings.TrimSpace(s.Heading); h != "" {
		head = append(head, "*"+EscapeSlack(h)+"*")
	}
	if s.Text != "" {
		head = append(head, EscapeSlack(s.Text))
	}
	var fields []slackText
	for _, f := range s.Fields {
		t := "*" + EscapeSlack(f.Name) + "*\n" + EscapeSlack(f.Value)
		if utf16Len(t) <= SlackMaxFieldText && strings.TrimSpace(f.Name+f.Value) != "" {
			fields = append(fields, slackText{Type: "mrkdwn", Text: t})
		} else {
			// Too long for a field: shown as a line, split if need be.
			lines = append(lines, "*"+EscapeSlack(f.Name)+":* "+EscapeSlack(f.Value))
		}
	}
	for _, l := range s.Lines {
		lines = append(lines, EscapeSlack(l))
	}
	if len(fields) == 0 {
		return appendText(nil, append(head, lines...))
	}
	blocks := appendText(nil, head)
	for i := 0; i < len(fields); i += SlackMaxFields {
		blocks = append(blocks, slackBlock{Type: "section", Fields: fields[i:min(i+SlackMaxFields, len(fields))]})
	}
	return appendText(blocks, lines)
}

// appendText appends section blocks holding the escaped lines, split so
// that each text stays within SlackMaxSectionText.
func appendText(blocks []slackBlock, lines []string) []slackBlock {
	for _, chunk := range splitText(strings.Join(lines, "\n"), SlackMaxSectionText) {
		blocks = append(blocks, sectionBlock(chunk))
	}
	return blocks
}

// splitText splits escaped text into chunks of at most limit UTF-16 units,
// at line ends where it can. Chunks that hold only spaces are dropped.
func splitText(s string, limit int) []string {
	var chunks []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if strings.TrimSpace(cur.String()) != "" {
			chunks = append(chunks, cur.String())
		}
		cur.Reset()
		curLen = 0
	}
	for _, line := range strings.Split(s, "\n") {
		n := utf16Len(line)
		if curLen > 0 && curLen+1+n <= limit {
			cur.WriteString("\n" + line)
			curLen += 1 + n
			continue
		}
		flush()
		if n <= limit {
			cur.WriteString(line)
			curLen = n
			continue
		}
		pieces := hardSplit(line, limit)
		for _, p := range pieces[:len(pieces)-1] {
			cur.WriteString(p)
			flush()
		}
		cur.WriteString(pieces[len(pieces)-1])
		curLen = utf16Len(pieces[len(pieces)-1])
	}
	flush()
	return chunks
}

// hardSplit splits one escaped line into pieces of at most limit UTF-16
// units, between characters and never inside an entity such as &amp;.
func hardSplit(s string, limit int) []string {
	var pieces []string
	start, n := 0, 0
	for i, r := range s {
		w := len(utf16.AppendRune(nil, r))
		if n+w > limit && i > start {
			cut := i
			if j := strings.LastIndexByte(s[start:i], '&'); j >= 0 && !strings.Contains(s[start+j:i], ";") && start+j > start {
				cut = start + j
			}
			pieces = append(pieces, s[start:cut])
			n = utf16Len(s[cut:i])
			start = cut
		}
		n += w
	}
	return append(pieces, s[start:])
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 && r <= 0x10FFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}
