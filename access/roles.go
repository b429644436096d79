package access

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/reply"
)

// UserArgs name one user, and for grant a role.
type UserArgs struct {
	User string
	Role dobot.Role
}

// Target is the user the command acts on.
func (a UserArgs) Target() string { return a.User }

// ParseGrant reads grant's words: a user and a role.
func ParseGrant(words []string) (UserArgs, error) {
	if len(words) != 2 {
		return UserArgs{}, reply.Errorf("grant takes a user and a role, like `/do grant @ana deployer`")
	}
	user, err := cmdline.ParseUser(words[0])
	if err != nil {
		return UserArgs{}, err
	}
	role, err := dobot.ParseRole(words[1])
	if err != nil {
		return UserArgs{}, reply.Errorf("%v", err)
	}
	return UserArgs{User: user, Role: role}, nil
}

// ParseRevoke reads revoke's words: one user.
func ParseRevoke(words []string) (UserArgs, error) {
	if len(words) != 1 {
		return UserArgs{}, reply.Errorf("revoke takes one user, like `/do revoke @ana`")
	}
	user, err := cmdline.ParseUser(words[0])
	if err != nil {
		return UserArgs{}, err
	}
	return UserArgs{User: user}, nil
}

// Grant gives args.User args.Role, as by decided.
func (a *Admin) Grant(ctx context.Context, by string, args UserArgs) (chat.Message, error) {
	err := a.d.Roles.SetRole(ctx, args.User, args.Role, by)
	if errors.Is(err, dobot.ErrLastAdmin) {
		return chat.Message{}, lastAdminError(args.User)
	}
	if err != nil {
		return chat.Message{}, fmt.Errorf("grant %s to %s: %w", args.Role, args.User, err)
	}
	return chat.Message{Text: fmt.Sprintf(chat.IconOK+" %s is now %s.", chat.Mention(args.User), withArticle(args.Role.String()))}, nil
}

// Revoke takes args.User's role away.
func (a *Admin) Revoke(ctx context.Context, args UserArgs) (chat.Message, error) {
	existed, err := a.d.Roles.RevokeRole(ctx, args.User)
	if errors.Is(err, dobot.ErrLastAdmin) {
		return chat.Message{}, lastAdminError(args.User)
	}
	if err != nil {
		return chat.Message{}, fmt.Errorf("revoke %s: %w", args.User, err)
	}
	if !existed {
		return chat.Message{}, reply.Errorf("%s has no role, so there is nothing to revoke.", reply.Markup(chat.Mention(args.User)))
	}
	return chat.Message{Text: fmt.Sprintf(chat.IconOK+" %s no longer has a role.", chat.Mention(args.User))}, nil
}

// lastAdminError refuses a change that would leave the bot with no admin,
// since then nobody could grant roles again without a restart. The store
// checks and changes in one transaction, so two admins revoking each other
// at once cannot both get through.
func lastAdminError(user string) error {
	return reply.Errorf("%s is the only admin; grant admin to someone else first.", reply.Markup(chat.Mention(user)))
}

// List lists who has which role.
func (a *Admin) List(ctx context.Context) (chat.Message, error) {
	grants, err := a.d.Roles.Grants(ctx)
	if err != nil {
		return chat.Message{}, fmt.Errorf("list roles: %w", err)
	}
	if len(grants) == 0 {
		return chat.Message{Text: "Nobody has a role yet. Set BOT_ADMINS to make the first admins."}, nil
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
	return chat.Message{Text: sb.String()}, nil
}
