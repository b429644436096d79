package slackbot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"dobot/commands"
)

// Slack's limits on Block Kit parts.
const (
	maxSectionText = 3000
	maxHeaderText  = 150
	maxFields      = 10
	maxFieldText   = 2000
	maxBlocks      = 50
	progressCells  = 10
)

// Blocks renders a message as Block Kit.
func Blocks(m commands.Message) []slack.Block {
	var blocks []slack.Block
	if m.Title != "" {
		blocks = append(blocks, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(guard(m.Title), maxHeaderText), true, false)))
	}
	if m.Title == "" || len(m.Fields) == 0 && m.Body == "" {
		for _, chunk := range chunks(m.Text, maxSectionText) {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	if len(m.Fields) > 0 {
		var fields []*slack.TextBlockObject
		for _, f := range m.Fields {
			if len(fields) == maxFields {
				break
			}
			fields = append(fields, mrkdwn(clip(fmt.Sprintf("*%s*\n%s", f.Label, f.Value), maxFieldText)))
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	}
	if p := m.Progress; p != nil && p.Total > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(ProgressBar(p.Done, p.Total))))
	}
	if m.Body != "" {
		for _, chunk := range chunks(m.Body, maxSectionText) {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	if len(m.Buttons) > 0 {
		var elems []slack.BlockElement
		for _, b := range m.Buttons {
			btn := slack.NewButtonBlockElement(b.ActionID, b.Value, slack.NewTextBlockObject(slack.PlainTextType, b.Label, true, false))
			if b.Style != "" {
				btn.Style = slack.Style(b.Style)
			}
			elems = append(elems, btn)
		}
		blocks = append(blocks, slack.NewActionBlock("actions", elems...))
	}
	if m.Footer != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(clip(m.Footer, maxSectionText))))
	}
	if len(blocks) > maxBlocks {
		// Slack refuses more; keep the start and say the rest was cut.
		blocks = append(blocks[:maxBlocks-1], slack.NewContextBlock("", mrkdwn("_(message cut: too long for one Slack message)_")))
	}
	return blocks
}

// ProgressBar draws done of total as ten cells and a count.
func ProgressBar(done, total int) string {
	if total <= 0 {
		return ""
	}
	done = min(max(done, 0), total)
	filled := done * progressCells / total
	return strings.Repeat("▰", filled) + strings.Repeat("▱", progressCells-filled) + fmt.Sprintf(" %d/%d steps", done, total)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, guard(s), false, false)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// chunks splits s at line ends into pieces of at most n bytes.
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
