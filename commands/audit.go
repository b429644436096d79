package commands

import (
	"context"

	"dobot"
	"dobot/auditview"
)

var auditCommand = &Command{
	Name:        "audit",
	Usage:       "audit [--user @u] [--app NAME] [--action A] [--since 24h|7d] [--limit N]",
	Description: "List audit rows, newest first: who did what, when, who approved it and what DigitalOcean answered; with --app, a link to that app's launch thread.",
	Examples:    []string{"audit --app web --since 7d", "audit --user @ana --limit 50"},
	MinRole:     dobot.RoleApprover,
	Parse:       parsedBy(auditview.Parse),
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[auditview.Args](inv)
		if err != nil {
			return err
		}
		pages, err := auditview.Pages(ctx, b.store, args, b.now())
		for _, m := range b.svc.board.AppThreadLinked(ctx, args.Filter.Target, pages) {
			b.tell(ctx, inv.Req, m)
		}
		return err
	},
}
