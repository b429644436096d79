package slackbot

import (
	"regexp"
	"strings"
)

// incomingMarkup is the markup Slack puts in a slash command's text
// (api.slack.com/reference/surfaces/formatting#retrieving-messages): a
// mention <@U123> or <@U123|name>, a channel <#C123|name>, and a link
// Slack made of something that looked like a URL, <https://x> or
// <http://x|x>.
var incomingMarkup = regexp.MustCompile(`<([@#])([A-Z0-9]+)(?:\|([^<>]*))?>|<(https?://[^<>|\s]+)(?:\|([^<>]*))?>`)

// incomingEntities are the three characters Slack escapes in what a
// person typed.
var incomingEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// commandText is a slash command's text as the person typed it, for the
// core, which reads no Slack markup: a mention becomes "@U123", a channel
// "#C123" (its id: names change, and the core acts on ids), an auto-made
// link the text it was made of, and
// Slack's entities are undone. The markup is read first, while every '<'
// a person typed is still "&lt;".
func commandText(s string) string {
	s = incomingMarkup.ReplaceAllStringFunc(s, func(m string) string {
		g := incomingMarkup.FindStringSubmatch(m)
		switch {
		case g[1] == "@":
			return "@" + g[2]
		case g[1] == "#":
			return "#" + g[2]
		case g[5] != "":
			return g[5]
		}
		return g[4]
	})
	return incomingEntities.Replace(s)
}
