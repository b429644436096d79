package commands

import (
	"context"

	"dobot"
)

var listCommand = &Command{
	Name:        "list",
	Usage:       "list",
	Description: "Everything the bot manages, with owner, age, monthly cost and TTL, and the total; launches in progress and waiting for approval too.",
	Examples:    []string{"list"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("list"),
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		m, err := b.svc.board.List(ctx)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}
