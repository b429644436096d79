package commands

import (
	"context"

	"dobot"
	"dobot/reply"
)

var statusCommand = &Command{
	Name:        "status",
	Usage:       "status [NAME]",
	Description: "Show an app's phase, live URL and current deployment; without NAME, every app the bot manages.",
	Examples:    []string{"status web", "status"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		switch len(words) {
		case 0:
			return statusArgs{}, nil
		case 1:
			if err := ValidAppName(words[0]); err != nil {
				return nil, err
			}
			return statusArgs{name: words[0]}, nil
		}
		return nil, reply.Errorf("status takes at most one app name, like `/do status web`")
	},
	Run: runStatus,
}

type statusArgs struct{ name string }

func (a statusArgs) Target() string { return a.name }

func runStatus(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[statusArgs](inv)
	if err != nil {
		return err
	}
	m, err := b.svc.board.Status(ctx, args.name)
	if err != nil {
		return err
	}
	b.tell(ctx, inv.Req, m)
	return nil
}
