// Package holds is what holds apps back: a person's lock on one app, an
// admin's freeze of deploys to the apps matching a glob, and an admin's
// --break-glass past either. It parses lock, unlock, freeze and unfreeze,
// places and lifts holds, decides whether a lock or a freeze stops an
// action (the guardrail every mutating command passes), audits and
// announces a broken glass, and words every message about a hold. The
// domain types (dobot.AppHold, dobot.Freeze) are the root package's.
package holds

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/ops"
	"dobot/reply"
)

// Store keeps the locks and freezes, and the operations a broken glass
// is recorded against.
type Store interface {
	LockApp(ctx context.Context, hold dobot.AppHold) (dobot.AppHold, bool, error)
	UnlockApp(ctx context.Context, app, holder string, since time.Time) (bool, error)
	AppLock(ctx context.Context, app string) (dobot.AppHold, error)
	AppLocks(ctx context.Context) ([]dobot.AppHold, error)
	NoteLockedExpiry(ctx context.Context, app string) (bool, error)
	Freeze(ctx context.Context, f dobot.Freeze) (dobot.Freeze, error)
	Unfreeze(ctx context.Context, glob string) (dobot.Freeze, bool, error)
	Freezes(ctx context.Context, now time.Time) ([]dobot.Freeze, error)
	Operation(ctx context.Context, id int64) (dobot.Operation, error)
}

// Replier posts in a message's thread: the break-glass note goes in the
// thread of the operation's card.
type Replier interface {
	Reply(ctx context.Context, parent chat.Ref, m chat.Message) (chat.Ref, error)
}

// Deps are a Service's collaborators.
type Deps struct {
	Store Store
	Chat  Replier
	// Record appends an audit row (and mirrors it to the audit channel);
	// an action whose row cannot be written does not run.
	Record func(ctx context.Context, e dobot.AuditEntry) error
	// Notify posts m where app's messages go (its launch thread, or the
	// channel it is watched in).
	Notify func(ctx context.Context, app dobot.App, m chat.Message)
	Log    *slog.Logger
	Now    func() time.Time
	// EndRole is the role the unfreeze policy asks for. Changing a freeze
	// in force that someone else placed changes when it ends, so it needs
	// that role too; nil means admin.
	EndRole func(ctx context.Context) (dobot.Role, error)
}

// Service places, lifts and weighs holds. It is safe for concurrent use.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}

// Holds is everything that holds apps back now: every lock and every
// freeze in force. The ops view and the Home tab show it with Lines.
type Holds struct {
	Locks   []dobot.AppHold
	Freezes []dobot.Freeze
}

// Holds reads the locks and the freezes in force.
func (s *Service) Holds(ctx context.Context) (Holds, error) {
	locks, err := s.d.Store.AppLocks(ctx)
	if err != nil {
		return Holds{}, err
	}
	freezes, err := s.d.Store.Freezes(ctx, s.d.Now())
	if err != nil {
		return Holds{}, err
	}
	return Holds{Locks: locks, Freezes: freezes}, nil
}

// On returns the lock on app, if any, and the freezes whose glob matches
// it.
func (h Holds) On(app string) (*dobot.AppHold, []dobot.Freeze) {
	var lock *dobot.AppHold
	for i := range h.Locks {
		if h.Locks[i].App == app {
			lock = &h.Locks[i]
		}
	}
	var freezes []dobot.Freeze
	for _, f := range h.Freezes {
		if f.Matches(app) {
			freezes = append(freezes, f)
		}
	}
	return lock, freezes
}

// Lines describe every hold, one line each, in neutral message text
// (mentions as chat tokens, people's reasons cleaned), for /do ops and the
// Home tab. None when nothing holds any app.
func (h Holds) Lines() []string {
	var out []string
	for _, f := range h.Freezes {
		out = append(out, FreezeLine(f))
	}
	for _, l := range h.Locks {
		out = append(out, LockLine(l))
	}
	return out
}

// Unmanaged are the lines of locks on names not in apps (the ones the bot
// manages), each on its own line: a lock may be placed before a launch.
func (h Holds) Unmanaged(apps []dobot.App) string {
	var sb strings.Builder
	for _, l := range h.Locks {
		managed := false
		for _, a := range apps {
			managed = managed || a.Name == l.App
		}
		if !managed {
			sb.WriteString(LockLine(l) + " (not launched)\n")
		}
	}
	return sb.String()
}

// Lines are the lines about app's lock and freezes, for status and list;
// "" when nothing holds it, or when the holds cannot be read (logged).
func (s *Service) Lines(ctx context.Context, app string) string {
	h, err := s.Holds(ctx)
	if err != nil {
		s.d.Log.Warn("read holds", "app", app, "err", err)
		return ""
	}
	lock, freezes := h.On(app)
	var lines []string
	if lock != nil {
		lines = append(lines, LockLine(*lock))
	}
	for _, f := range freezes {
		lines = append(lines, FreezeLine(f))
	}
	return strings.Join(lines, "\n")
}

// LockLine describes one lock: "🔒 web locked by @ana since … : reason".
func LockLine(l dobot.AppHold) string {
	return fmt.Sprintf("%s %s %s", chat.IconLock, reply.Escape(l.App), LockedText(l))
}

// LockedText is "locked by @ana since …: reason".
func LockedText(l dobot.AppHold) string {
	return fmt.Sprintf("locked by %s since %s%s", chat.Mention(l.Holder), stamp(l.Since), reasonSuffix(l.Reason))
}

// FreezeLine describes one freeze: "🧊 Deploys frozen on prod-* until …".
func FreezeLine(f dobot.Freeze) string {
	return fmt.Sprintf("%s Deploys frozen on %s until %s by %s (since %s)%s", iconFreeze, freezeScope(f.Glob),
		stamp(f.Until), chat.Mention(f.By), stamp(f.Since), reasonSuffix(f.Reason))
}

// iconFreeze marks a freeze. It is a plain Unicode emoji, as chat's icons.
const iconFreeze = "🧊"

// stamp is how the messages about holds show a time, as requests do.
func stamp(t time.Time) string { return t.UTC().Format(ops.TimeFormat) }

func freezeScope(glob string) string {
	if glob == "*" {
		return "every app"
	}
	return "apps matching " + reply.Escape(glob)
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reply.Escape(reason)
}

// globFlag is the --app flag that names glob again, "" for every app.
func globFlag(glob string) string {
	if glob == "*" {
		return ""
	}
	return " --app '" + reply.Escape(glob) + "'"
}
