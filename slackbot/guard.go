package slackbot

import (
	"regexp"
	"strings"

	"dobot/chat"
	"dobot/commands"
)

// botMarkup is the Slack markup the bot itself writes: user mentions,
// channel links and http(s) links. Nothing else (no <!channel>, <!here>,
// <!subteam^…>, <!date…>) is ever the bot's.
var botMarkup = regexp.MustCompile(`^<(@[UW][A-Z0-9]+|#C[A-Z0-9]+(\|[^<>|]*)?|https?://[^\s<>|]+(\|[^<>|]*)?)>$`)

// guard is the adapter's last line of defence: the core escapes every piece
// of user and DigitalOcean text with commands.Escape before it goes into a
// message, and guard escapes any '<' that still does not open the bot's
// own markup, so a missed spot can never ping a channel.
func guard(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		sb.WriteString(s[:i])
		s = s[i:]
		if j := strings.IndexAny(s[1:], "<>\n"); j >= 0 && s[1+j] == '>' && botMarkup.MatchString(s[:j+2]) {
			sb.WriteString(s[:j+2])
			s = s[j+2:]
			continue
		}
		sb.WriteString("&lt;")
		s = s[1:]
	}
}

// slackText renders the core's neutral text as Slack mrkdwn: its tokens
// become Slack's mentions and links, and the text between them is guarded.
func slackText(s string) string { return chat.Render(s, guard, slackToken) }

// entities escapes the three characters Slack reads as markup.
var entities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackToken is one of the core's tokens in Slack's markup.
func slackToken(seg chat.Segment) string {
	switch seg.Kind {
	case chat.Person:
		return "<@" + seg.Target + ">"
	case chat.Room:
		return "<#" + seg.Target + ">"
	case chat.Href:
		return "<" + seg.Target + "|" + entities.Replace(seg.Text) + ">"
	}
	return entities.Replace(seg.Text)
}

// guardMessage is m with every text rendered for Slack and guarded.
func guardMessage(m commands.Message) commands.Message {
	m.Text, m.Title, m.Body, m.Footer = slackText(m.Text), slackText(m.Title), slackText(m.Body), slackText(m.Footer)
	if len(m.Fields) > 0 {
		fields := make([]commands.Field, len(m.Fields))
		for i, f := range m.Fields {
			fields[i] = commands.Field{Label: slackText(f.Label), Value: slackText(f.Value)}
		}
		m.Fields = fields
	}
	return m
}
