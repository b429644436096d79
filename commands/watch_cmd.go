package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/progress"
)

// WatchArgs are watch's parsed arguments: with neither Channel nor Off it
// only shows where the app's messages go.
type WatchArgs struct {
	Name    string
	Channel string // channel id
	Off     bool   // send them back where commands are typed
}

func (a WatchArgs) Target() string { return a.Name }

var watchCommand = &Command{
	Name:  "watch",
	Usage: "watch NAME [#channel | --off]",
	Description: "Send an app's messages (the cards and threads of its next operations, its expiry reminders and notes) to another channel; " +
		"without a channel, show where they go; --off sends them back where each command is typed.",
	Examples: []string{"watch web #web-ops", "watch web", "watch web --off"},
	MinRole:  dobot.RoleViewer,
	Mutating: true,
	RoleFor: func(args any) dobot.Role {
		if a, ok := args.(WatchArgs); ok && a.Channel == "" && !a.Off {
			return dobot.RoleViewer
		}
		return dobot.RoleDeployer
	},
	Parse: parseWatch,
	Run:   runWatch,
}

func parseWatch(words []string, _ Config) (any, error) {
	fs := cmdline.NewFlagSet("watch")
	off := fs.Bool("off", false, "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return nil, userErrorf("watch takes an app name and optionally a channel, like `/do watch web #web-ops`")
	}
	if err := ValidAppName(pos[0]); err != nil {
		return nil, err
	}
	args := WatchArgs{Name: pos[0], Off: *off}
	if len(pos) == 2 {
		if args.Off {
			return nil, userErrorf("watch takes a channel or --off, not both")
		}
		if args.Channel, err = ParseChannel(pos[1]); err != nil {
			return nil, err
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
	return "", userErrorf("%q is not a channel the bot can name; pick it from Slack's list as you type #, or give its id, like C0123ABCD", s)
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

func runWatch(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[WatchArgs](inv)
	if err != nil {
		return err
	}
	current, err := b.store.Route(ctx, args.Name)
	routed := err == nil
	if err != nil && !errors.Is(err, dobot.ErrNotFound) {
		return err
	}
	switch {
	case args.Off:
		if _, err := b.store.DeleteRoute(ctx, args.Name); err != nil {
			return err
		}
		b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("%s's messages go where each command is typed again.", Escape(args.Name))))
		return nil
	case args.Channel == "" && routed:
		b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("%s's messages go to %s (set by %s on %s). `/do watch %s --off` sends them back where each command is typed.",
			Escape(args.Name), chat.Channel(current.Channel), chat.Mention(current.SetBy), current.SetAt.UTC().Format(timeFormat), Escape(args.Name))))
		return nil
	case args.Channel == "":
		b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("%s's messages go where each command is typed. `/do watch %s #channel` sends them to one channel.", Escape(args.Name), Escape(args.Name))))
		return nil
	}
	// Stored first, then announced there: a channel the bot cannot post
	// in is refused and the previous route put back.
	if err := b.store.SetRoute(ctx, dobot.Route{App: args.Name, Channel: args.Channel, SetBy: inv.Req.UserID}); err != nil {
		return err
	}
	_, err = b.chat.Post(ctx, args.Channel, infoMessage(fmt.Sprintf("%s %s sent %s's messages here: the cards and threads of its next operations, and its notices.",
		chat.IconForward, chat.Mention(inv.Req.UserID), Escape(args.Name))))
	if err != nil {
		if routed {
			err = errors.Join(err, b.store.SetRoute(ctx, current))
		} else if _, derr := b.store.DeleteRoute(ctx, args.Name); derr != nil {
			err = errors.Join(err, derr)
		}
		if errors.Is(err, ErrCannotPost) {
			return userErrorf("the bot cannot post in %s: invite it there first (`/invite @dobot`). Nothing was changed.", Markup(chat.Channel(args.Channel)))
		}
		return fmt.Errorf("post in %s: %w", args.Channel, err)
	}
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("%s's messages now go to %s.", Escape(args.Name), chat.Channel(args.Channel))))
	return nil
}

// routeOp sends a new operation's card and thread to its app's route, when
// it has one, and tells the requester where it went.
func (b *Bot) routeOp(ctx context.Context, op *dobot.Operation, req Request) {
	r, err := b.store.Route(ctx, op.App)
	if err != nil || op.App == "" || r.Channel == op.Channel || strings.HasPrefix(op.Action, "registry.") {
		if err != nil && !errors.Is(err, dobot.ErrNotFound) {
			b.log.Warn("read route", "app", op.App, "err", err)
		}
		return
	}
	op.Channel = r.Channel
	b.tell(ctx, req, infoMessage(fmt.Sprintf("%s's messages go to %s (`/do watch %s`): the card and progress of this %s are there.",
		Escape(op.App), chat.Channel(r.Channel), Escape(op.App), Escape(op.Action))))
}

// appNotice posts a notice about a managed app: in its route channel when
// it has one elsewhere, else in its launch thread.
func (b *Bot) appNotice(ctx context.Context, app dobot.App, m Message) {
	if r, err := b.store.Route(ctx, app.Name); err == nil && r.Channel != app.Channel {
		if _, err := b.chat.Post(ctx, r.Channel, m); err == nil {
			return
		}
	}
	if _, err := b.chat.Reply(ctx, chat.Ref{Channel: app.Channel, ID: app.ThreadTS}, m); err != nil {
		b.log.Warn("post app notice", "app", app.Name, "err", err)
	}
}

// opHome is where an operation the bot starts on its own for app (a TTL
// expiry) reports: a new card in the app's route channel when it has one
// elsewhere (thread ""), else the app's launch thread.
func (b *Bot) opHome(ctx context.Context, app dobot.App) (channel, thread string) {
	if r, err := b.store.Route(ctx, app.Name); err == nil && r.Channel != app.Channel {
		return r.Channel, ""
	}
	return app.Channel, app.ThreadTS
}

// startRouted posts the card of an operation opHome sent to a route
// channel, and records it, so that its thread exists for the replies.
func (b *Bot) startRouted(ctx context.Context, op *dobot.Operation, rep *progress.Reporter) {
	if op.MessageTS != "" {
		return
	}
	if err := rep.Start(ctx, b.table.actions[op.Action].head(*op)); err != nil {
		b.log.Warn("post a routed card", "request", op.ID, "err", err)
		return
	}
	op.MessageTS = rep.Head().ID
	if err := b.store.UpdateOperation(ctx, *op); err != nil {
		b.log.Warn("record a routed card", "request", op.ID, "err", err)
	}
}
