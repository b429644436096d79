package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
)

// An app deleted outside the bot stays in the store until someone forgets
// it: every command on it says so and points at forget, rather than show
// DigitalOcean's 404, ask for an approval or claim a saving.

// goneError is the answer about an app DigitalOcean no longer has.
func goneError(managed dobot.App) error {
	what := "app"
	if managed.Kind == kindDroplet {
		what = "droplet"
	}
	return userErrorf("%s was deleted outside the bot: DigitalOcean no longer has the %s (id %s). `/do forget %s` drops the bot's record of it. Nothing was changed.",
		managed.Name, what, managed.ResourceID, managed.Name)
}

// getApp reads a managed App Platform app from DigitalOcean, with
// goneError when it was deleted outside the bot.
func (b *Bot) getApp(ctx context.Context, managed dobot.App) (*godo.App, error) {
	app, _, err := b.apps.Get(ctx, managed.ResourceID)
	if docloud.IsNotFound(err) {
		return nil, goneError(managed)
	}
	if err != nil {
		return nil, fmt.Errorf("get app %s: %w", managed.ResourceID, err)
	}
	return app, nil
}

// goneFromDO reports whether DigitalOcean no longer has managed's app or
// droplet. Any other failure to find out is an error, never "gone".
func (b *Bot) goneFromDO(ctx context.Context, managed dobot.App) (bool, error) {
	var err error
	if managed.Kind == kindDroplet {
		id, convErr := strconv.Atoi(managed.ResourceID)
		if convErr != nil {
			return false, fmt.Errorf("droplet id %q of %s: %w", managed.ResourceID, managed.Name, convErr)
		}
		_, _, err = b.cloud.Droplets.Get(ctx, id)
	} else {
		_, _, err = b.apps.Get(ctx, managed.ResourceID)
	}
	if docloud.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up %s on DigitalOcean: %w", managed.Name, err)
	}
	return false, nil
}

// refuseIfGone is goneError when DigitalOcean no longer has managed, nil
// when it does.
func (b *Bot) refuseIfGone(ctx context.Context, managed dobot.App) error {
	gone, err := b.goneFromDO(ctx, managed)
	if err != nil {
		return err
	}
	if gone {
		return goneError(managed)
	}
	return nil
}

// ForgetArgs name the app whose record forget drops.
type ForgetArgs struct{ Name string }

func (a ForgetArgs) target() string { return a.Name }

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
	managed, err := b.managedApp(ctx, args.Name)
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
	gone, err := b.goneFromDO(ctx, managed)
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
		if _, err := b.chat.Reply(ctx, managed.Channel, managed.ThreadTS, infoMessage(text)); err != nil {
			b.log.Warn("note forget in launch thread", "app", args.Name, "err", err)
		}
	}
	b.tell(ctx, inv.Req, infoMessage(text))
	return nil
}
