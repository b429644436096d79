package commands

import (
	"context"
	"errors"
	"fmt"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
)

// An app deleted outside the bot stays in the store until someone forgets
// it: every command on it says so and points at forget, rather than show
// DigitalOcean's 404, ask for an approval or claim a saving.

// ForgetArgs name the app whose record forget drops.
type ForgetArgs struct{ Name string }

func (a ForgetArgs) Target() string { return a.Name }

var forgetCommand = &Command{
	Name:        "forget",
	Usage:       "forget NAME",
	Description: "Drop the bot's record of an app or droplet that was deleted outside the bot. Its owner or an admin may, without approval; the bot refuses while DigitalOcean still has it.",
	Examples:    []string{"forget web"},
	MinRole:     dobot.RoleDeployer,
	Mutating:    true,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, userErrorf("forget takes one app name, like `/do forget web`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		return ForgetArgs{Name: words[0]}, nil
	},
	Run: runForget,
}

func runForget(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[ForgetArgs](inv)
	if err != nil {
		return err
	}
	managed, err := b.plan.ManagedApp(ctx, args.Name)
	if err != nil {
		return err
	}
	if managed.Owner != inv.Req.UserID && inv.Role < dobot.RoleAdmin {
		return userErrorf("Only %s, who launched %s, or an admin may forget it. Nothing was changed.", Markup(chat.Mention(managed.Owner)), args.Name)
	}
	if holder, err := b.store.ActiveOperation(ctx, args.Name); err == nil {
		return userErrorf("%s cannot be forgotten now: %s (%s) holds it. Nothing was changed.", args.Name, opRef(holder), opWhat(holder))
	} else if !errors.Is(err, dobot.ErrNotFound) {
		return fmt.Errorf("look for operations on %s: %w", args.Name, err)
	}
	gone, err := b.plan.GoneFromDO(ctx, managed)
	if err != nil {
		return err
	}
	if !gone {
		return userErrorf("DigitalOcean still has %s (id %s), so the bot keeps its record. `/do teardown %s` deletes it. Nothing was changed.", args.Name, managed.ResourceID, args.Name)
	}
	if err := b.store.DeleteApp(ctx, args.Name); err != nil {
		return fmt.Errorf("forget %s: %w", args.Name, err)
	}
	text := fmt.Sprintf("%s %s forgot %s, which was deleted outside the bot (id %s). It is no longer listed or counted.",
		chat.IconClean, chat.Mention(inv.Req.UserID), Escape(args.Name), Escape(managed.ResourceID))
	if managed.ThreadTS != "" {
		if _, err := b.chat.Reply(ctx, deploy.ThreadOf(managed), infoMessage(text)); err != nil {
			b.log.Warn("note forget in launch thread", "app", args.Name, "err", err)
		}
	}
	b.tell(ctx, inv.Req, infoMessage(text))
	return nil
}
