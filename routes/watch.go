package routes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/ops"
	"dobot/reply"
)

// WatchArgs are watch's parsed arguments: with neither Channel nor Off it
// only shows where the app's messages go.
type WatchArgs struct {
	Name    string
	Channel string // channel id
	Off     bool   // send them back where commands are typed
}

// Target is the app, for the audit row.
func (a WatchArgs) Target() string { return a.Name }

// Shows reports whether the arguments only show the route, changing
// nothing.
func (a WatchArgs) Shows() bool { return a.Channel == "" && !a.Off }

// ParseWatch reads watch NAME [#channel | --off].
func ParseWatch(words []string) (WatchArgs, error) {
	fs := cmdline.NewFlagSet("watch")
	off := fs.Bool("off", false, "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return WatchArgs{}, err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return WatchArgs{}, reply.Errorf("watch takes an app name and optionally a channel, like `/do watch web #web-ops`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(pos[0])); err != nil {
		return WatchArgs{}, err
	}
	args := WatchArgs{Name: pos[0], Off: *off}
	if len(pos) == 2 {
		if args.Off {
			return WatchArgs{}, reply.Errorf("watch takes a channel or --off, not both")
		}
		if args.Channel, err = ParseChannel(pos[1]); err != nil {
			return WatchArgs{}, err
		}
	}
	return args, nil
}

// ParseChannel reads a channel as the adapters pass one on: #C123 (Slack's
// channel picked from its list arrives so) or its id, C123.
func ParseChannel(s string) (string, error) {
	id := strings.TrimPrefix(s, "#")
	if isChannelID(id) {
		return id, nil
	}
	return "", reply.Errorf("%q is not a channel the bot can name; pick it from Slack's list as you type #, or give its id, like C0123ABCD", s)
}

// isChannelID reports whether s looks like a public or private channel id.
func isChannelID(s string) bool {
	if len(s) < 2 || (s[0] != 'C' && s[0] != 'G') {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Watch runs /do watch for user and returns the answer for them: where
// the app's messages go, or that they now go elsewhere. A new route is
// stored first and then announced in its channel; a channel the bot
// cannot post in is refused and the previous route put back.
func (r *Router) Watch(ctx context.Context, user string, a WatchArgs) (chat.Message, error) {
	current, err := r.store.Route(ctx, a.Name)
	routed := err == nil
	if err != nil && !errors.Is(err, dobot.ErrNotFound) {
		return chat.Message{}, err
	}
	name := reply.Escape(a.Name)
	switch {
	case a.Off:
		if _, err := r.store.DeleteRoute(ctx, a.Name); err != nil {
			return chat.Message{}, err
		}
		return chat.Message{Text: fmt.Sprintf("%s's messages go where each command is typed again.", name)}, nil
	case a.Channel == "" && routed:
		return chat.Message{Text: fmt.Sprintf("%s's messages go to %s (set by %s on %s). `/do watch %s --off` sends them back where each command is typed.",
			name, chat.Channel(current.Channel), chat.Mention(current.SetBy), current.SetAt.UTC().Format(ops.TimeFormat), name)}, nil
	case a.Channel == "":
		return chat.Message{Text: fmt.Sprintf("%s's messages go where each command is typed. `/do watch %s #channel` sends them to one channel.", name, name)}, nil
	}
	if err := r.store.SetRoute(ctx, dobot.Route{App: a.Name, Channel: a.Channel, SetBy: user}); err != nil {
		return chat.Message{}, err
	}
	_, err = r.chat.Post(ctx, a.Channel, chat.Message{Text: fmt.Sprintf("%s %s sent %s's messages here: the cards and threads of its next operations, and its notices.",
		chat.IconForward, chat.Mention(user), name)})
	if err != nil {
		if routed {
			err = errors.Join(err, r.store.SetRoute(ctx, current))
		} else if _, derr := r.store.DeleteRoute(ctx, a.Name); derr != nil {
			err = errors.Join(err, derr)
		}
		if errors.Is(err, chat.ErrCannotPost) {
			return chat.Message{}, reply.Errorf("the bot cannot post in %s: invite it there first (`/invite @dobot`). Nothing was changed.", reply.Markup(chat.Channel(a.Channel)))
		}
		return chat.Message{}, fmt.Errorf("post in %s: %w", a.Channel, err)
	}
	return chat.Message{Text: fmt.Sprintf("%s's messages now go to %s.", name, chat.Channel(a.Channel))}, nil
}
