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
	Run:         told(func(ctx context.Context, b *Bot, _ *Invocation) (Message, error) { return b.svc.board.List(ctx) }),
}
