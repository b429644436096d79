package commands

import (
	"context"

	"dobot"
	"dobot/logview"
)

var logsCommand = &Command{
	Name:        "logs",
	Usage:       "logs NAME [--type build|deploy|run] [--lines N]",
	Description: "Show you the last lines of an app's logs, privately: here when they fit, else as a snippet in a direct message.",
	Examples:    []string{"logs web", "logs web --type build --lines 300"},
	MinRole:     dobot.RoleViewer,
	Parse:       parsedBy(logview.Parse),
	Run: replyWith(func(ctx context.Context, b *Bot, inv *Invocation, a logview.Args) (Message, error) {
		managed, m, err := b.svc.reads.logs.Answer(ctx, logview.Asker{UserID: inv.Req.UserID, Ref: inv.Req.Ref}, a)
		if err != nil {
			return Message{}, err
		}
		return b.svc.board.WithThreadLink(ctx, managed, m), nil
	}),
}
