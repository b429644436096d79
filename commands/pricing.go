package commands

import (
	"context"

	"dobot/sizeview"
)

var sizesCommand = &Command{
	Name:        "sizes",
	Usage:       "sizes [--droplet]",
	Description: "List App Platform instance sizes with their monthly price; --droplet lists droplet sizes.",
	Examples:    []string{"sizes", "sizes --droplet"},
	MinRole:     0, // prices are public
	Parse:       parsedBy(sizeview.Parse),
	Run: replyWith(func(ctx context.Context, b *Bot, _ *Invocation, a sizeview.Args) (Message, error) {
		return sizeview.Table(ctx, b.plan, a)
	}),
}
