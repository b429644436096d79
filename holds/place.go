package holds

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/reply"
)

// Actor is the person who runs a hold command.
type Actor struct {
	ID   string // user id
	Name string
	Role dobot.Role // at authorisation time
}

// Notice is what a hold command announces where everyone sees it: in
// App's channel when its messages go elsewhere, else where the command
// was typed ("" App).
type Notice struct {
	App     string
	Message chat.Message
}

// Lock places who's lock on a.Name, refusing while someone holds it.
func (s *Service) Lock(ctx context.Context, who Actor, a LockArgs) (Notice, error) {
	held, placed, err := s.d.Store.LockApp(ctx, dobot.AppHold{App: a.Name, Holder: who.ID, HolderName: who.Name, Reason: a.Reason})
	if err != nil {
		return Notice{}, err
	}
	if !placed {
		return Notice{}, reply.Errorf("%s is already locked by %s since %s%s. Nothing was changed.", a.Name, reply.Markup(chat.Mention(held.Holder)),
			stamp(held.Since), reply.Markup(reasonSuffix(held.Reason)))
	}
	app := reply.Escape(held.App)
	return Notice{App: a.Name, Message: chat.Message{Text: fmt.Sprintf("%s %s locked %s: %s. Nothing changes %s (launch, redeploy, rollback, teardown, droplet actions, TTL expiry) until `/do unlock %s`.",
		chat.IconLock, chat.Mention(held.Holder), app, reply.Escape(held.Reason), app, app)}}, nil
}

// LockedBy reports whether userID holds the lock on app: anyone may lift
// their own lock, whatever their role now and whatever the unlock policy
// says.
func (s *Service) LockedBy(ctx context.Context, app, userID string) bool {
	l, err := s.d.Store.AppLock(ctx, app)
	return err == nil && l.Holder == userID
}

// Unlock lifts the lock on a.Name, when who holds it or is an admin. The
// rule (DECISIONS.md: "anyone may unlock their own lock, admins any"): the
// holder may always unlock, whatever their role and the unlock policy,
// since the command lets them past the policy (LockedBy). Anyone else must
// pass the unlock policy (deployer by default, which an admin may change)
// and then be an admin here; admin being the highest role, the policy can
// change who is told "needs role X" but neither lets a non-admin lift
// another's lock nor stops an admin.
func (s *Service) Unlock(ctx context.Context, who Actor, a LockArgs) (Notice, error) {
	held, err := s.d.Store.AppLock(ctx, a.Name)
	if errors.Is(err, dobot.ErrNotFound) {
		return Notice{}, reply.Errorf("%s is not locked, so there is nothing to unlock.", a.Name)
	}
	if err != nil {
		return Notice{}, err
	}
	if held.Holder != who.ID && who.Role < dobot.RoleAdmin {
		return Notice{}, reply.Errorf("%s is locked by %s since %s%s; only they or an admin may unlock it, and %s. Nothing was changed.", a.Name,
			reply.Markup(chat.Mention(held.Holder)), stamp(held.Since), reply.Markup(reasonSuffix(held.Reason)), roleText(who.Role))
	}
	removed, err := s.d.Store.UnlockApp(ctx, held.App, held.Holder, held.Since)
	if err != nil {
		return Notice{}, err
	}
	if !removed {
		return Notice{}, reply.Errorf("the lock on %s changed while you unlocked it; `/do status %s` shows it now. Nothing was changed.", a.Name, a.Name)
	}
	text := fmt.Sprintf("%s %s unlocked %s", chat.IconOK, chat.Mention(who.ID), reply.Escape(held.App))
	if held.Holder != who.ID {
		text += fmt.Sprintf(" (locked by %s since %s)", chat.Mention(held.Holder), stamp(held.Since))
	}
	text += "."
	if held.ExpiryNoted {
		text += " Its TTL expiry, held back by the lock, goes ahead now."
	}
	return Notice{App: held.App, Message: chat.Message{Text: text}}, nil
}

// Freeze freezes deploys to the apps matching a.Glob for a.For, or
// replaces the end and reason of the freeze on that glob.
func (s *Service) Freeze(ctx context.Context, who Actor, a FreezeArgs) (Notice, error) {
	if err := s.mayReplace(ctx, who, a.Glob); err != nil {
		return Notice{}, err
	}
	f, err := s.d.Store.Freeze(ctx, dobot.Freeze{Glob: a.Glob, By: who.ID, ByName: who.Name, Reason: a.Reason, Until: s.d.Now().Add(a.For)})
	if err != nil {
		return Notice{}, err
	}
	return Notice{Message: chat.Message{Text: fmt.Sprintf("%s %s froze deploys on %s until %s: %s. Launch, redeploy and rollback of %s are refused until then; `/do unfreeze%s` ends it.",
		iconFreeze, chat.Mention(f.By), freezeScope(f.Glob), stamp(f.Until), reply.Escape(f.Reason), freezeScope(f.Glob), globFlag(f.Glob))}}, nil
}

// mayReplace refuses to change a freeze in force on glob that someone
// else placed unless who may also end it (the unfreeze policy): freeze
// and unfreeze have policies of their own, and replacing a freeze can
// bring its end forward.
func (s *Service) mayReplace(ctx context.Context, who Actor, glob string) error {
	active, err := s.d.Store.Freezes(ctx, s.d.Now())
	if err != nil {
		return err
	}
	for _, f := range active {
		if f.Glob != glob || f.By == who.ID {
			continue
		}
		need := dobot.RoleAdmin
		if s.d.EndRole != nil {
			if need, err = s.d.EndRole(ctx); err != nil {
				return err
			}
		}
		if who.Role < need {
			return reply.Errorf("%s froze deploys on %s until %s: %s. Changing that freeze changes when it ends, which needs the %s role, as unfreeze does, and %s. Ask them or an admin, or wait until it ends. Nothing was changed.",
				reply.Markup(chat.Mention(f.By)), reply.Markup(freezeScope(f.Glob)), stamp(f.Until), f.Reason, need, roleText(who.Role))
		}
	}
	return nil
}

// Unfreeze ends the freeze on a.Glob; when there is none, its refusal
// names the freezes in force and how to end each.
func (s *Service) Unfreeze(ctx context.Context, who Actor, a FreezeArgs) (Notice, error) {
	f, found, err := s.d.Store.Unfreeze(ctx, a.Glob)
	if err != nil {
		return Notice{}, err
	}
	if !found {
		active, err := s.d.Store.Freezes(ctx, s.d.Now())
		if err != nil {
			return Notice{}, err
		}
		if len(active) == 0 {
			return Notice{}, reply.Errorf("nothing is frozen, so there is nothing to unfreeze.")
		}
		var globs []string
		for _, in := range active {
			globs = append(globs, "`/do unfreeze"+globFlag(in.Glob)+"`")
		}
		return Notice{}, reply.Errorf("no freeze on %s is in force. The freezes in force end with %s.", freezeScope(a.Glob), reply.Markup(strings.Join(globs, ", ")))
	}
	return Notice{Message: chat.Message{Text: fmt.Sprintf("%s %s ended the freeze on %s (set by %s until %s). Deploys may go ahead.",
		chat.IconOK, chat.Mention(who.ID), freezeScope(f.Glob), chat.Mention(f.By), stamp(f.Until))}}, nil
}

// ExpiryHeld reports whether a lock holds app's TTL expiry back, and
// says so in the app's thread (and the audit) once per lock. The expiry
// is tried again at every check, so it goes ahead once the lock is lifted.
func (s *Service) ExpiryHeld(ctx context.Context, app dobot.App) bool {
	held, err := s.d.Store.AppLock(ctx, app.Name)
	if errors.Is(err, dobot.ErrNotFound) {
		return false
	}
	if err != nil {
		s.d.Log.Error("read the lock of an expiring app", "app", app.Name, "err", err)
		return true // unsure: keeping an app is the safe mistake
	}
	if held.ExpiryNoted {
		return true // said already: no write at every check
	}
	if marked, err := s.d.Store.NoteLockedExpiry(ctx, app.Name); err != nil || !marked {
		return true
	}
	e := dobot.AuditEntry{UserID: botUser, UserName: botUser + " for " + app.Owner, Channel: app.Channel,
		CommandText: fmt.Sprintf("(ttl expired at %s)", stamp(app.ExpiresAt)), Action: "ttl.expired", Target: app.Name,
		Decision: "refused", Outcome: "held by lock", Details: fmt.Sprintf("lock_holder=%s lock_reason=%q", held.Holder, held.Reason)}
	if err := s.d.Record(ctx, e); err != nil {
		s.d.Log.Error("append audit", "action", e.Action, "err", err)
	}
	name := reply.Escape(app.Name)
	s.d.Notify(ctx, app, chat.Message{Text: fmt.Sprintf("%s %s reached the end of its TTL, but %s holds it locked since %s%s, so it stays up. It is torn down once unlocked (or extended with `/do extend %s DURATION`).",
		chat.IconLock, name, chat.Mention(held.Holder), stamp(held.Since), reasonSuffix(held.Reason), name)})
	return true
}

// botUser is the audit's name for the bot acting on its own (TTL expiry).
const botUser = "dobot"

// roleText says what role a person has, to explain a refusal.
func roleText(r dobot.Role) string { return reply.RoleText(r) }
