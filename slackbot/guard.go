package slackbot

import (
	"strings"

	"dobot/chat"
	"dobot/commands"
)

// slackText renders the core's neutral text as Slack mrkdwn: its tokens
// become Slack's mentions and links, and everything else is text, with the
// three characters Slack reads as markup escaped. The core writes no Slack
// markup, so nothing a person or DigitalOcean wrote (an app name, a deny
// reason, a log line: "<!channel>") can ever ping or link.
func slackText(s string) string { return chat.Render(s, entities.Replace, slackToken) }

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

// guardMessage is m with every text rendered for Slack.
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
