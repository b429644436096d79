package slackbot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"dobot/commands"
)

// Slack's limits on a message, in characters. Slack refuses a message that
// breaks one with invalid_blocks (or msg_too_long for the text), so the
// whole message would be lost; Blocks and MessageText clip to them instead.
// Sources (Slack's Block Kit reference, docs.slack.dev/reference/block-kit):
//   - section block: text at most 3,000; at most 10 fields of at most 2,000 each.
//   - header block: plain_text at most 150.
//   - button element: text at most 75, action_id at most 255, value at most 2,000.
//   - actions block: at most 25 elements; context block: at most 10 elements.
//   - text object: at least 1 character ("no empty text"), at most 3,000.
//   - a message: at most 50 blocks (chat.postMessage reference); its top-level
//     text at most 40,000 (api.slack.com/changelog/2018-04-truncating-really-long-messages).
const (
	maxSectionText = 3000
	maxHeaderText  = 150
	maxFields      = 10
	maxFieldText   = 2000
	maxButtonText  = 75
	maxButtonValue = 2000
	maxActionID    = 255
	maxActionElems = 25
	maxBlocks      = 50
	maxText        = 40000
)

// truncated marks text that was cut to fit, so the reader knows more existed.
const truncated = "… (truncated)"

// MessageText is the top-level text Slack shows in notifications and where
// blocks cannot be shown: never empty, at most 40,000 characters.
func MessageText(m commands.Message) string {
	m = guardMessage(m)
	text := m.Text
	if strings.TrimSpace(text) == "" {
		text = m.Title
	}
	if strings.TrimSpace(text) == "" {
		text = "(no text)" // Slack refuses a message with neither text nor blocks
	}
	return clip(text, maxText)
}

// Blocks renders a message as Block Kit within Slack's limits. When the
// text and body need more than the 50 blocks Slack allows, they are cut
// and say so, while the title, fields, buttons and footer are kept: those
// are what a person acts on.
func Blocks(m commands.Message) []slack.Block {
	m = guardMessage(m) // before clipping, so the limits hold for what is sent
	var head, text, middle, body, tail []slack.Block
	if title := strings.TrimSpace(m.Title); title != "" {
		head = append(head, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clipShort(title, maxHeaderText), true, false)))
	}
	if m.Title == "" || len(m.Fields) == 0 && m.Body == "" {
		text = sections(m.Text)
	}
	if len(m.Fields) > 0 {
		middle = append(middle, slack.NewSectionBlock(nil, fieldTexts(m.Fields), nil))
	}
	if p := m.Progress; p != nil && p.Total > 0 {
		middle = append(middle, slack.NewContextBlock("", mrkdwn(p.Bar())))
	}
	body = sections(m.Body)
	tail = buttonBlocks(m.Buttons)
	if strings.TrimSpace(m.Footer) != "" {
		tail = append(tail, slack.NewContextBlock("", mrkdwn(clip(m.Footer, maxSectionText))))
	}
	fixed := len(head) + len(middle) + len(tail)
	if fixed+len(text)+len(body) > maxBlocks {
		room := max(maxBlocks-fixed-1, 0) // one block for the note
		if len(text) > room {
			text, body = text[:room], nil
		} else {
			body = body[:room-len(text)]
		}
		note := slack.NewContextBlock("", mrkdwn("_… (truncated: the rest is too long for one Slack message)_"))
		if len(body) > 0 || len(middle) == 0 {
			body = append(body, note)
		} else {
			text = append(text, note)
		}
	}
	blocks := append(append(append(append(head, text...), middle...), body...), tail...)
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks] // only with dozens of buttons; Slack would refuse more
	}
	return blocks
}

// sections splits text into section blocks of at most 3,000 characters,
// leaving out blank pieces, which Slack refuses as empty text.
func sections(text string) []slack.Block {
	var out []slack.Block
	for _, chunk := range chunks(text, maxSectionText) {
		if strings.TrimSpace(chunk) != "" {
			out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	return out
}

// fieldTexts renders at most 10 fields of at most 2,000 characters; past ten,
// the last one says how many were left out.
func fieldTexts(fields []commands.Field) []*slack.TextBlockObject {
	var out []*slack.TextBlockObject
	for i, f := range fields {
		if len(out) == maxFields-1 && len(fields)-i > 1 {
			out = append(out, mrkdwn(fmt.Sprintf("*…*\n%d more not shown", len(fields)-i)))
			break
		}
		label, value := strings.TrimSpace(f.Label), f.Value
		if strings.TrimSpace(value) == "" {
			value = "—"
		}
		text := value
		if label != "" {
			text = "*" + label + "*\n" + value
		}
		out = append(out, mrkdwn(clip(text, maxFieldText)))
	}
	return out
}

// buttonBlocks renders buttons in actions blocks of at most 25. A button
// whose action_id or value is over Slack's limit is left out, with a note:
// cutting them would make the click act on something else.
func buttonBlocks(buttons []commands.Button) []slack.Block {
	var out []slack.Block
	var elems []slack.BlockElement
	left := 0
	flush := func() {
		if len(elems) == 0 {
			return
		}
		id := "actions"
		if len(out) > 0 {
			id += "-" + strconv.Itoa(len(out)+1) // block_ids must be unique in a message
		}
		out = append(out, slack.NewActionBlock(id, elems...))
		elems = nil
	}
	for _, b := range buttons {
		if b.ActionID == "" || utf8.RuneCountInString(b.ActionID) > maxActionID || utf8.RuneCountInString(b.Value) > maxButtonValue {
			left++
			continue
		}
		label := strings.TrimSpace(b.Label)
		if label == "" {
			label = strings.TrimSpace(b.ActionID)
		}
		if label == "" {
			label = "Choose" // Slack refuses a button without text
		}
		btn := slack.NewButtonBlockElement(b.ActionID, b.Value, slack.NewTextBlockObject(slack.PlainTextType, clipShort(label, maxButtonText), true, false))
		if b.Style != "" {
			btn.Style = slack.Style(b.Style)
		}
		elems = append(elems, btn)
		if len(elems) == maxActionElems {
			flush()
		}
	}
	flush()
	if left > 0 {
		out = append(out, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("_%d button(s) left out: too long for Slack_", left))))
	}
	return out
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// clip cuts markdown s to at most n characters and says it was cut. It
// prefers a line end near the cut, never leaves half a <link|label>, a
// mention or an &entity; behind, and closes a code block it cut open.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	const fence = "\n```"
	keep := n - utf8.RuneCountInString(truncated) - len(fence)
	if keep < 1 {
		return clipShort(s, n)
	}
	cut := string([]rune(s)[:keep])
	if i := strings.LastIndexByte(cut, '\n'); i > 0 && i >= len(cut)*3/4 {
		cut = cut[:i]
	}
	if i := strings.LastIndexByte(cut, '<'); i >= 0 && i > strings.LastIndexByte(cut, '>') {
		cut = cut[:i] // an unfinished link or mention would show as raw markup
	}
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && i > strings.LastIndexByte(cut, ';') && len(cut)-i < 8 {
		cut = cut[:i] // an unfinished &amp; and the like
	}
	if strings.Count(cut, "```")%2 == 1 {
		cut += fence
	}
	return cut + " " + truncated
}

// clipShort cuts plain text s to at most n characters with an ellipsis, for
// short fields such as headers and button labels.
func clipShort(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// chunks splits s at line ends into pieces of at most n bytes, so at most n
// characters whatever the script.
func chunks(s string, n int) []string {
	if s == "" {
		return nil
	}
	var out []string
	for len(s) > n {
		cut := strings.LastIndex(s[:n], "\n")
		if cut <= 0 {
			cut = n
			for cut > 0 && !utf8Start(s[cut]) {
				cut--
			}
		}
		out = append(out, s[:cut])
		s = strings.TrimPrefix(s[cut:], "\n")
	}
	return append(out, s)
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
