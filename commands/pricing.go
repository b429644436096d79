package commands

import (
	"context"

	"dobot/sizeview"
)

// money and memText word prices and memory as /do sizes does.
var (
	money   = sizeview.Money
	memText = sizeview.MemText
)

var sizesCommand = &Command{
	Name:        "sizes",
	Usage:       "sizes [--droplet]",
	Description: "List App Platform instance sizes with their monthly price; --droplet lists droplet sizes.",
	Examples:    []string{"sizes", "sizes --droplet"},
	MinRole:     0, // prices are public
	Parse:       func(words []string, _ Config) (any, error) { return sizeview.Parse(words) },
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[sizeview.Args](inv)
		if err != nil {
			return err
		}
		m, err := sizeview.Table(ctx, b.plan, args)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}
