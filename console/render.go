package console

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"dobot/chat"
	"dobot/commands"
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
		out = append(out, p.Bar())
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

// plain turns the core's neutral text into terminal text: a mention token
// reads "@U1", a link "label (url)". The rest is shown as it is: status
// icons are Unicode, and bold and code marks read well as they are.
func plain(s string) string { return chat.Plain(s) }
