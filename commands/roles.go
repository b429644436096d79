package commands

import (
	"context"

	"dobot"
	"dobot/access"
)

var grantCommand = &Command{
	Name:        "grant",
	Usage:       "grant @user ROLE",
	Description: "Give someone a role: viewer, deployer, approver or admin.",
	Examples:    []string{"grant @ana deployer"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse:       parsedBy(access.ParseGrant),
	Run: replyWith(func(ctx context.Context, b *Bot, inv *Invocation, a access.UserArgs) (Message, error) {
		return b.svc.access.Grant(ctx, inv.Req.UserID, a)
	}),
}

var revokeCommand = &Command{
	Name:        "revoke",
	Usage:       "revoke @user",
	Description: "Take away someone's role.",
	Examples:    []string{"revoke @ana"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse:       parsedBy(access.ParseRevoke),
	Run: replyWith(func(ctx context.Context, b *Bot, _ *Invocation, a access.UserArgs) (Message, error) {
		return b.svc.access.Revoke(ctx, a)
	}),
}

var rolesCommand = &Command{
	Name:        "roles",
	Usage:       "roles",
	Description: "List who has which role.",
	Examples:    []string{"roles"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("roles"),
	Run:         told(func(ctx context.Context, b *Bot, _ *Invocation) (Message, error) { return b.svc.access.List(ctx) }),
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
