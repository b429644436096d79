package commands

import (
	"context"

	"dobot"
	"dobot/progress"
	"dobot/routes"
)

var watchCommand = &Command{
	Name:  "watch",
	Usage: "watch NAME [#channel | --off]",
	Description: "Send an app's messages (the cards and threads of its next operations, its expiry reminders and notes) to another channel; " +
		"without a channel, show where they go; --off sends them back where each command is typed.",
	Examples: []string{"watch web #web-ops", "watch web", "watch web --off"},
	MinRole:  dobot.RoleViewer,
	Mutating: true,
	RoleFor: func(args any) dobot.Role {
		if a, ok := args.(routes.WatchArgs); ok && a.Shows() {
			return dobot.RoleViewer
		}
		return dobot.RoleDeployer
	},
	Parse: parsedBy(routes.ParseWatch),
	Run: replyWith(func(ctx context.Context, b *Bot, inv *Invocation, a routes.WatchArgs) (Message, error) {
		return b.svc.routes.Watch(ctx, inv.Req.UserID, a)
	}),
}

// appNotice posts a notice about a managed app: routes.Router.Notice.
func (b *Bot) appNotice(ctx context.Context, app dobot.App, m Message) {
	b.svc.routes.Notice(ctx, app, m)
}

// opHome is where an operation the bot starts on its own for app reports:
// routes.Router.Home.
func (b *Bot) opHome(ctx context.Context, app dobot.App) (channel, thread string) {
	return b.svc.routes.Home(ctx, app)
}

// startRouted posts the card of an operation opHome sent to a route
// channel, and records it, so that its thread exists for the replies.
func (b *Bot) startRouted(ctx context.Context, op *dobot.Operation, rep *progress.Reporter) {
	if op.MessageTS != "" {
		return
	}
	if err := rep.Start(ctx, b.table.actions[op.Action].Head(*op)); err != nil {
		b.log.Warn("post a routed card", "request", op.ID, "err", err)
		return
	}
	op.MessageTS = rep.Head().ID
	if err := b.store.UpdateOperation(ctx, *op); err != nil {
		b.log.Warn("record a routed card", "request", op.ID, "err", err)
	}
}
