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

// LockArgs are lock's and unlock's parsed arguments.
type LockArgs struct {
	Name   string
	Reason string
}

func (a LockArgs) Target() string { return a.Name }

var lockCommand = &Command{
	Name:  "lock",
	Usage: "lock NAME --reason TEXT",
	Description: "Lock an app (or a name not launched yet): no launch, redeploy, rollback, teardown, droplet action or TTL expiry touches it until it is unlocked. " +
		"Everyone refused sees who holds the lock, since when and why; extend still works. An admin may override with --break-glass REASON.",
	Examples: []string{`lock web --reason "investigating incident 311"`},
	MinRole:  dobot.RoleDeployer,
	Mutating: true,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("lock")
		reason := fs.String("reason", "", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("lock takes one app name, like `/do lock web --reason \"incident 311\"`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := LockArgs{Name: pos[0], Reason: strings.TrimSpace(*reason)}
		if args.Reason == "" {
			return nil, userErrorf("lock needs --reason TEXT, which everyone it stops is shown, like `/do lock %s --reason \"incident 311\"`", args.Name)
		}
		return args, nil
	},
	Run: runLock,
}

var unlockCommand = &Command{
	Name:        "unlock",
	Usage:       "unlock NAME",
	Description: "Lift the lock on an app. Whoever placed it may, whatever their role now; an admin may lift anyone's.",
	Examples:    []string{"unlock web"},
	// A deployer may try: runUnlock then says who holds the lock.
	MinRole:  dobot.RoleDeployer,
	Mutating: true,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, userErrorf("unlock takes one app name, like `/do unlock web`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		return LockArgs{Name: words[0]}, nil
	},
	// Anyone may lift their own lock.
	Own: func(ctx context.Context, b *Bot, userID string, args any) bool {
		a, ok := args.(LockArgs)
		if !ok {
			return false
		}
		l, err := b.store.AppLock(ctx, a.Name)
		return err == nil && l.Holder == userID
	},
	Run: runUnlock,
}

func runLock(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[LockArgs](inv)
	if err != nil {
		return err
	}
	held, placed, err := b.store.LockApp(ctx, dobot.AppHold{App: args.Name, Holder: inv.Req.UserID, HolderName: inv.Req.UserName, Reason: args.Reason})
	if err != nil {
		return err
	}
	if !placed {
		return userErrorf("%s is already locked by %s since %s%s. Nothing was changed.", args.Name, Markup(chat.Mention(held.Holder)),
			held.Since.UTC().Format(timeFormat), Markup(reasonSuffix(held.Reason)))
	}
	b.announce(ctx, inv.Req, args.Name, Message{Text: fmt.Sprintf("%s %s locked %s: %s. Nothing changes %s (launch, redeploy, rollback, teardown, droplet actions, TTL expiry) until `/do unlock %s`.",
		chat.IconLock, chat.Mention(held.Holder), Escape(held.App), Escape(held.Reason), Escape(held.App), Escape(held.App))})
	return nil
}

func runUnlock(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[LockArgs](inv)
	if err != nil {
		return err
	}
	held, err := b.store.AppLock(ctx, args.Name)
	if errors.Is(err, dobot.ErrNotFound) {
		return userErrorf("%s is not locked, so there is nothing to unlock.", args.Name)
	}
	if err != nil {
		return err
	}
	if held.Holder != inv.Req.UserID && inv.Role < dobot.RoleAdmin {
		return userErrorf("%s is locked by %s since %s%s; only they or an admin may unlock it, and %s. Nothing was changed.", args.Name,
			Markup(chat.Mention(held.Holder)), held.Since.UTC().Format(timeFormat), Markup(reasonSuffix(held.Reason)), roleText(inv.Role))
	}
	removed, err := b.store.UnlockApp(ctx, held.App, held.Holder, held.Since)
	if err != nil {
		return err
	}
	if !removed {
		return userErrorf("the lock on %s changed while you unlocked it; `/do status %s` shows it now. Nothing was changed.", args.Name, args.Name)
	}
	text := fmt.Sprintf("%s %s unlocked %s", chat.IconOK, chat.Mention(inv.Req.UserID), Escape(held.App))
	if held.Holder != inv.Req.UserID {
		text += fmt.Sprintf(" (locked by %s since %s)", chat.Mention(held.Holder), held.Since.UTC().Format(timeFormat))
	}
	text += "."
	if held.ExpiryNoted {
		text += " Its TTL expiry, held back by the lock, goes ahead now."
	}
	b.announce(ctx, inv.Req, held.App, Message{Text: text})
	return nil
}

// expiryHeld reports whether a lock holds app's TTL expiry back, and
// says so in the app's thread once per lock. The expiry is tried again
// at every check, so it goes ahead once the lock is lifted.
func (b *Bot) expiryHeld(ctx context.Context, app dobot.App) bool {
	held, err := b.store.AppLock(ctx, app.Name)
	if errors.Is(err, dobot.ErrNotFound) {
		return false
	}
	if err != nil {
		b.log.Error("read the lock of an expiring app", "app", app.Name, "err", err)
		return true // unsure: keeping an app is the safe mistake
	}
	if held.ExpiryNoted {
		return true // said already: no write at every check
	}
	if marked, err := b.store.NoteLockedExpiry(ctx, app.Name); err != nil || !marked {
		return true
	}
	b.audit(ctx, b.log, dobot.AuditEntry{UserID: botUser, UserName: botUser + " for " + app.Owner, Channel: app.Channel,
		CommandText: fmt.Sprintf("(ttl expired at %s)", app.ExpiresAt.UTC().Format(timeFormat)), Action: "ttl.expired", Target: app.Name,
		Decision: "refused", Outcome: "held by lock", Details: fmt.Sprintf("lock_holder=%s lock_reason=%q", held.Holder, held.Reason)})
	b.appNotice(ctx, app, Message{Text: fmt.Sprintf("%s %s reached the end of its TTL, but %s holds it locked since %s%s, so it stays up. It is torn down once unlocked (or extended with `/do extend %s DURATION`).",
		chat.IconLock, Escape(app.Name), chat.Mention(held.Holder), held.Since.UTC().Format(timeFormat), reasonSuffix(held.Reason), Escape(app.Name))})
	return true
}
