package commands

import (
	"context"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
)

// answerPrivately shows m to the person who asked, where they asked (the
// tell path: ephemeral, or the response_url where the bot is not a member),
// with a link to the app's launch thread when it has one. Read-only
// commands answer this way so that asking never adds to a shared thread.
func (b *Bot) answerPrivately(ctx context.Context, req Request, managed dobot.App, m Message) {
	if line := b.launchThreadLine(ctx, managed, "Launch thread"); line != "" {
		if strings.TrimSpace(m.Footer) == "" {
			m.Footer = line
		} else {
			m.Footer += " · " + line
		}
	}
	b.tell(ctx, req, m)
}

// launchThreadLink is a link to the app's launch thread, or "" when it has
// none or the link cannot be had: the answer matters more than the link.
func (b *Bot) launchThreadLink(ctx context.Context, managed dobot.App) string {
	if managed.Channel == "" || managed.ThreadTS == "" {
		return ""
	}
	link, err := b.chat.Permalink(ctx, deploy.ThreadOf(managed))
	if err != nil {
		b.log.Warn("launch thread link", "app", managed.Name, "err", err)
		return ""
	}
	return link
}

// launchThreadLine is label linked to the app's launch thread, "" when
// there is none: a link where the adapter gives a web URL (Slack), else
// the adapter's own name for the thread after the label ("Launch thread:
// [#3 web]" in the console).
func (b *Bot) launchThreadLine(ctx context.Context, managed dobot.App, label string) string {
	l := b.launchThreadLink(ctx, managed)
	if l == "" {
		return ""
	}
	if out := chat.Link(l, label); out != chat.Clean(l) {
		return out
	}
	return label + ": " + Escape(l)
}
