package commands

import (
	"context"

	"dobot"
	"dobot/ops/manage"
)

var adoptCommand = &Command{
	Name:        "adopt",
	Usage:       "adopt NAME [--droplet]",
	Description: "Take an app (or droplet) the bot did not create under its management, so status, teardown and the rest work on it.",
	Examples:    []string{"adopt legacy-api", "adopt build-box --droplet"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse:       parsedBy(manage.ParseAdopt),
	Run: replyWith(func(ctx context.Context, b *Bot, inv *Invocation, a manage.AdoptArgs) (Message, error) {
		return b.svc.ops.manage.Adopt(ctx, manageWho(inv), a)
	}),
}

var forgetCommand = &Command{
	Name:        "forget",
	Usage:       "forget NAME",
	Description: "Drop the bot's record of an app or droplet that was deleted outside the bot. Its owner or an admin may, without approval; the bot refuses while DigitalOcean still has it.",
	Examples:    []string{"forget web"},
	MinRole:     dobot.RoleDeployer,
	Mutating:    true,
	Parse:       parsedBy(manage.ParseForget),
	Run: replyWith(func(ctx context.Context, b *Bot, inv *Invocation, a manage.ForgetArgs) (Message, error) {
		return b.svc.ops.manage.Forget(ctx, manageWho(inv), a.Name)
	}),
}

// manageWho is who asks to adopt or forget, and where.
func manageWho(inv *Invocation) manage.Who {
	return manage.Who{UserID: inv.Req.UserID, Channel: inv.Req.ChannelID, Role: inv.Role}
}
