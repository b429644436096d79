package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
)

// ParseUser reads a user as the adapters pass one on: cmdline.ParseUser.
func ParseUser(s string) (string, error) { return cmdline.ParseUser(s) }

// UserArgs name one user, and for grant a role.
type UserArgs struct {
	User string
	Role dobot.Role
}

func (a UserArgs) Target() string { return a.User }

var grantCommand = &Command{
	Name:        "grant",
	Usage:       "grant @user ROLE",
	Description: "Give someone a role: viewer, deployer, approver or admin.",
	Examples:    []string{"grant @ana deployer"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 2 {
			return nil, userErrorf("grant takes a user and a role, like `/do grant @ana deployer`")
		}
		user, err := ParseUser(words[0])
		if err != nil {
			return nil, err
		}
		role, err := dobot.ParseRole(words[1])
		if err != nil {
			return nil, userErrorf("%v", err)
		}
		return UserArgs{User: user, Role: role}, nil
	},
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[UserArgs](inv)
		if err != nil {
			return err
		}
		err = b.store.SetRole(ctx, args.User, args.Role, inv.Req.UserID)
		if errors.Is(err, dobot.ErrLastAdmin) {
			return lastAdminError(args.User)
		}
		if err != nil {
			return fmt.Errorf("grant %s to %s: %w", args.Role, args.User, err)
		}
		b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf(chat.IconOK+" %s is now %s.", chat.Mention(args.User), withArticle(args.Role.String()))))
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
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, userErrorf("revoke takes one user, like `/do revoke @ana`")
		}
		user, err := ParseUser(words[0])
		if err != nil {
			return nil, err
		}
		return UserArgs{User: user}, nil
	},
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[UserArgs](inv)
		if err != nil {
			return err
		}
		existed, err := b.store.RevokeRole(ctx, args.User)
		if errors.Is(err, dobot.ErrLastAdmin) {
			return lastAdminError(args.User)
		}
		if err != nil {
			return fmt.Errorf("revoke %s: %w", args.User, err)
		}
		if !existed {
			return userErrorf("%s has no role, so there is nothing to revoke.", Markup(chat.Mention(args.User)))
		}
		b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf(chat.IconOK+" %s no longer has a role.", chat.Mention(args.User))))
		return nil
	},
}

// lastAdminError refuses a change that would leave the bot with no admin,
// since then nobody could grant roles again without a restart. The store
// checks and changes in one transaction, so two admins revoking each other
// at once cannot both get through.
func lastAdminError(user string) error {
	return userErrorf("%s is the only admin; grant admin to someone else first.", Markup(chat.Mention(user)))
}

var rolesCommand = &Command{
	Name:        "roles",
	Usage:       "roles",
	Description: "List who has which role.",
	Examples:    []string{"roles"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("roles"),
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		grants, err := b.store.Grants(ctx)
		if err != nil {
			return fmt.Errorf("list roles: %w", err)
		}
		if len(grants) == 0 {
			b.tell(ctx, inv.Req, infoMessage("Nobody has a role yet. Set BOT_ADMINS to make the first admins."))
			return nil
		}
		var sb strings.Builder
		sb.WriteString("*Roles*\n")
		for _, g := range grants {
			by := chat.Mention(g.GrantedBy)
			if g.GrantedBy == "BOT_ADMINS" || g.GrantedBy == "" {
				by = "BOT_ADMINS"
			}
			fmt.Fprintf(&sb, "• %s — %s (granted by %s, %s)\n", chat.Mention(g.UserID), g.Role, by, g.GrantedAt.UTC().Format("2006-01-02"))
		}
		b.tell(ctx, inv.Req, infoMessage(sb.String()))
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
