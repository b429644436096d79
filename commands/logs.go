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
	Parse:       func(words []string, _ Config) (any, error) { return logview.Parse(words) },
	Run:         runLogs,
}

func runLogs(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[logview.Args](inv)
	if err != nil {
		return err
	}
	managed, m, err := b.svc.reads.logs.Answer(ctx, logview.Asker{UserID: inv.Req.UserID, Ref: inv.Req.Ref}, args)
	if err != nil {
		return err
	}
	b.answerPrivately(ctx, inv.Req, managed, m)
	return nil
}
