package commands

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// escaper turns the three characters Slack treats as markup into the
// entities Slack's "Escaping text" guide asks for
// (https://api.slack.com/reference/surfaces/formatting#escaping): only &, <
// and >, nothing else.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes text that came from a person or from DigitalOcean safe to
// put in a message: it can no longer ping (<!channel>), mention or link.
// Every message text is mrkdwn; the bot's own mentions and links are built
// from validated ids and URLs, never from such text.
func Escape(s string) string { return escaper.Replace(s) }

// escapeStored escapes text read back from the store, which may already
// hold escaped text (a user error's message): it is unescaped first so it
// shows as typed rather than as &amp;lt;. The result is always safe.
func escapeStored(s string) string {
	return Escape(strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s))
}

// Markup is message text the bot built itself (mentions, links, code
// spans). userErrorf inserts it as it is; every other string argument is
// escaped.
type Markup string

// escapeArgs escapes the text arguments of a user error's format.
func escapeArgs(a []any) []any {
	out := make([]any, len(a))
	for i, v := range a {
		switch v := v.(type) {
		case Markup:
			out[i] = string(v)
		case string:
			out[i] = Escape(v)
		case error:
			var ue *UserError
			if errors.As(v, &ue) {
				out[i] = ue.Msg // already safe
			} else {
				out[i] = Escape(v.Error())
			}
		case fmt.Stringer:
			out[i] = Escape(v.String())
		default:
			out[i] = v
		}
	}
	return out
}

// link is Slack's link markup for a URL the bot trusts (DigitalOcean's
// control panel, an app's live URL, a droplet's address), or the escaped
// text when the URL is not a plain http(s) URL.
func link(raw, label string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(raw, "<>|& \t\n") {
		return Escape(raw)
	}
	return "<" + raw + "|" + Escape(label) + ">"
}
