package commands

import (
	"context"

	"dobot"
	"dobot/ops/manage"
)

// AdoptArgs are adopt's parsed arguments: package manage's.
type AdoptArgs = manage.AdoptArgs

var adoptCommand = &Command{
	Name:        "adopt",
	Usage:       "adopt NAME [--droplet]",
	Description: "Take an app (or droplet) the bot did not create under its management, so status, teardown and the rest work on it.",
	Examples:    []string{"adopt legacy-api", "adopt build-box --droplet"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse:       func(words []string, _ Config) (any, error) { return manage.ParseAdopt(words) },
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[AdoptArgs](inv)
		if err != nil {
			return err
		}
		m, err := b.svc.ops.manage.Adopt(ctx, manage.Who{UserID: inv.Req.UserID, Channel: inv.Req.ChannelID, Role: inv.Role}, args)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}

// ForgetArgs name the app whose record forget drops: package manage's.
type ForgetArgs = manage.ForgetArgs

var forgetCommand = &Command{
	Name:        "forget",
	Usage:       "forget NAME",
	Description: "Drop the bot's record of an app or droplet that was deleted outside the bot. Its owner or an admin may, without approval; the bot refuses while DigitalOcean still has it.",
	Examples:    []string{"forget web"},
	MinRole:     dobot.RoleDeployer,
	Mutating:    true,
	Parse:       func(words []string, _ Config) (any, error) { return manage.ParseForget(words) },
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[ForgetArgs](inv)
		if err != nil {
			return err
		}
		m, err := b.svc.ops.manage.Forget(ctx, manage.Who{UserID: inv.Req.UserID, Channel: inv.Req.ChannelID, Role: inv.Role}, args.Name)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}
