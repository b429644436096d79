package report

import (
	"context"
	"errors"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/reply"
)

// WithThreadLink is m with a link to the app's launch thread added to its
// footer, when it has one. Read-only answers carry it so that asking never
// adds to a shared thread.
func (r *Board) WithThreadLink(ctx context.Context, managed dobot.App, m chat.Message) chat.Message {
	if line := r.threadLine(ctx, managed, "Launch thread"); line != "" {
		if strings.TrimSpace(m.Footer) == "" {
			m.Footer = line
		} else {
			m.Footer += " · " + line
		}
	}
	return m
}

// AppThreadLinked is pages with a link to the launch thread of the app
// named name added to the last page's footer, when the bot manages an app
// by that name and it has a thread: an audit of one app links to where
// its launch is followed. An app no longer managed, or one that cannot be
// read, gets no link; the answer matters more than the link.
func (r *Board) AppThreadLinked(ctx context.Context, name string, pages []chat.Message) []chat.Message {
	if name == "" || len(pages) == 0 {
		return pages
	}
	managed, err := r.d.Store.App(ctx, name)
	if err != nil {
		if !errors.Is(err, dobot.ErrNotFound) {
			r.d.Log.Warn("launch thread link", "app", name, "err", err)
		}
		return pages
	}
	last := len(pages) - 1
	pages[last] = r.WithThreadLink(ctx, managed, pages[last])
	return pages
}

// threadLink is a link to the app's launch thread, or "" when it has
// none or the link cannot be had: the answer matters more than the link.
func (r *Board) threadLink(ctx context.Context, managed dobot.App) string {
	if managed.Channel == "" || managed.ThreadTS == "" {
		return ""
	}
	link, err := r.d.Chat.Permalink(ctx, deploy.ThreadOf(managed))
	if err != nil {
		r.d.Log.Warn("launch thread link", "app", managed.Name, "err", err)
		return ""
	}
	return link
}

// threadLine is label linked to the app's launch thread, "" when there
// is none: a link where the adapter gives a web URL (Slack), else the
// adapter's own name for the thread after the label ("Launch thread:
// [#3 web]" in the console).
func (r *Board) threadLine(ctx context.Context, managed dobot.App, label string) string {
	l := r.threadLink(ctx, managed)
	if l == "" {
		return ""
	}
	if out := chat.Link(l, label); out != chat.Clean(l) {
		return out
	}
	return label + ": " + reply.Escape(l)
}
