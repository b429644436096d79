package console

import (
	"dobot/chat"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"dobot/commands"
	"dobot/slackbot"
)

const (
	// uploadTail is how many of an upload's last lines the console shows.
	uploadTail = 40
	// fieldsWidth is where a line of fields wraps, unless one field is
	// longer.
	fieldsWidth = 100
)

// render turns a message into plain lines: the heading first, then fields,
// progress, body, numbered choices and footer. It shows Text where Block
// Kit would: when there is no title, or nothing under it.
func render(m commands.Message, choices []int) []string {
	var out []string
	if m.Title != "" {
		out = append(out, plain(m.Title))
	}
	if m.Title == "" || len(m.Fields) == 0 && m.Body == "" {
		out = append(out, splitLines(plain(m.Text))...)
	}
	if len(m.Fields) > 0 {
		line := ""
		for _, f := range m.Fields {
			part := plain(f.Label) + ": " + plain(f.Value)
			switch {
			case line == "":
				line = part
			case utf8.RuneCountInString(line)+3+utf8.RuneCountInString(part) > fieldsWidth:
				out = append(out, line)
				line = part
			default:
				line += " · " + part
			}
		}
		out = append(out, line)
	}
	if p := m.Progress; p != nil && p.Total > 0 {
		out = append(out, slackbot.ProgressBar(p.Done, p.Total))
	}
	if m.Body != "" {
		out = append(out, splitLines(plain(m.Body))...)
	}
	if len(m.Buttons) > 0 {
		parts := make([]string, len(m.Buttons))
		for i, b := range m.Buttons {
			parts[i] = fmt.Sprintf("[%d] %s", choices[i], b.Label)
		}
		out = append(out, strings.Join(parts, "  ")+"   (type the number to click)")
	}
	if m.Footer != "" {
		out = append(out, "— "+plain(m.Footer))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// block lays lines out under a prefix: the first line follows it, the rest
// are indented by indent.
func block(prefix, indent string, lines []string) string {
	var sb strings.Builder
	for i, l := range lines {
		if i == 0 {
			sb.WriteString(prefix)
		} else {
			sb.WriteString(indent)
		}
		sb.WriteString(l)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// uploadLines shows the end of an uploaded file, as a snippet.
func uploadLines(filename, title, content string) []string {
	lines := strings.Split(strings.TrimRight(content, "\n"), "\n")
	head := "📎 " + title
	if filename != "" && filename != title {
		head += " (" + filename + ")"
	}
	if len(lines) > uploadTail {
		head += fmt.Sprintf(", last %d of %d lines:", uploadTail, len(lines))
		lines = lines[len(lines)-uploadTail:]
	} else {
		head += ":"
	}
	out := []string{head}
	for _, l := range lines {
		out = append(out, "  | "+l)
	}
	return out
}

func splitLines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

// slackMarkup matches Slack's angle-bracket markup: mentions, channels,
// special mentions and links with or without a label.
var slackMarkup = regexp.MustCompile(`<([@#!])?([^<>|]+)(?:\|([^<>]*))?>`)

// plain turns the core's neutral text into terminal text: a mention token
// reads "@U1", a link "label (url)".
func plain(s string) string { return chat.Render(s, unslack, chat.PlainToken) }

// unslack turns Slack markup into terminal text: <@U1> → @U1, <url|label> →
// label (url), and known emoji shortcodes into emoji. Bold and code marks
// are left alone; they read well as they are.
func unslack(s string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		g := slackMarkup.FindStringSubmatch(m)
		sigil, target, label := g[1], g[2], g[3]
		switch sigil {
		case "@":
			return "@" + target
		case "#":
			if label != "" {
				return "#" + label
			}
			return "#" + target
		case "!":
			return "@" + target
		}
		if !strings.Contains(target, "://") && !strings.HasPrefix(target, "mailto:") {
			return m // not markup: leave it as written
		}
		if label == "" || label == target {
			return target
		}
		return label + " (" + target + ")"
	})
	s = emojiCode.ReplaceAllStringFunc(s, func(code string) string {
		if e, ok := emoji[strings.Trim(code, ":")]; ok {
			return e
		}
		return code
	})
	// Message text is Slack mrkdwn, with &, < and > escaped; a terminal
	// shows them as typed.
	return unescapeEntities.Replace(s)
}

var unescapeEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

var emojiCode = regexp.MustCompile(`:[a-z0-9_+-]+:`)

// emoji are the shortcodes the bot's messages use. Others stay as typed.
var emoji = map[string]string{
	"alarm_clock":             "⏰",
	"arrows_counterclockwise": "🔄",
	"black_circle":            "⚫",
	"broom":                   "🧹",
	"fast_forward":            "⏩",
	"gear":                    "⚙️",
	"grey_question":           "❔",
	"hammer":                  "🔨",
	"hammer_and_wrench":       "🛠️",
	"handshake":               "🤝",
	"hourglass":               "⌛",
	"hourglass_flowing_sand":  "⏳",
	"large_green_circle":      "🟢",
	"large_yellow_circle":     "🟡",
	"lock":                    "🔒",
	"mag":                     "🔍",
	"no_entry":                "⛔",
	"no_entry_sign":           "🚫",
	"package":                 "📦",
	"raised_hand":             "✋",
	"red_circle":              "🔴",
	"repeat":                  "🔁",
	"rewind":                  "⏪",
	"rocket":                  "🚀",
	"warning":                 "⚠️",
	"wastebasket":             "🗑️",
	"white_check_mark":        "✅",
	"x":                       "❌",
}
