package commands

import (
	"context"

	"dobot"
	"dobot/access"
	"dobot/cmdline"
)

// ParseUser reads a user as the adapters pass one on: cmdline.ParseUser.
func ParseUser(s string) (string, error) { return cmdline.ParseUser(s) }

var grantCommand = &Command{
	Name:        "grant",
	Usage:       "grant @user ROLE",
	Description: "Give someone a role: viewer, deployer, approver or admin.",
	Examples:    []string{"grant @ana deployer"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse:       func(words []string, _ Config) (any, error) { return access.ParseGrant(words) },
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[access.UserArgs](inv)
		if err != nil {
			return err
		}
		m, err := b.svc.access.Grant(ctx, inv.Req.UserID, args)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}

var revokeCommand = &Command{
	Name:        "revoke",
	Usage:       "revoke @user",
	Description: "Take away someone's role.",
	Examples:    []string{"revoke @ana"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse:       func(words []string, _ Config) (any, error) { return access.ParseRevoke(words) },
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[access.UserArgs](inv)
		if err != nil {
			return err
		}
		m, err := b.svc.access.Revoke(ctx, args)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}

var rolesCommand = &Command{
	Name:        "roles",
	Usage:       "roles",
	Description: "List who has which role.",
	Examples:    []string{"roles"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("roles"),
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		m, err := b.svc.access.List(ctx)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}

// standardCommands is the bot's command table.
func standardCommands() []*Command {
	return []*Command{helpCommand, launchCommand, statusCommand, teardownCommand, grantCommand, revokeCommand, rolesCommand,
		policyCommand, approveCommand, denyCommand, auditCommand, cancelCommand,
		logsCommand, sizesCommand, redeployCommand, rollbackCommand, registryCommand,
		extendCommand, listCommand, adoptCommand, dropletCommand,
		lockCommand, unlockCommand, freezeCommand, unfreezeCommand, watchCommand, opsCommand, historyCommand, forgetCommand,
		scaleCommand, restartCommand, envCommand, domainsCommand}
}
