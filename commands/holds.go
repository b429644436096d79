package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
)

// HoldStore keeps what holds apps back (locks and freezes), where an app's
// messages go, and what each approval was asked for.
type HoldStore interface {
	LockApp(ctx context.Context, hold dobot.AppHold) (dobot.AppHold, bool, error)
	UnlockApp(ctx context.Context, app, holder string, since time.Time) (bool, error)
	AppLock(ctx context.Context, app string) (dobot.AppHold, error)
	AppLocks(ctx context.Context) ([]dobot.AppHold, error)
	NoteLockedExpiry(ctx context.Context, app string) (bool, error)
	Freeze(ctx context.Context, f dobot.Freeze) (dobot.Freeze, error)
	Unfreeze(ctx context.Context, glob string) (dobot.Freeze, bool, error)
	Freezes(ctx context.Context, now time.Time) ([]dobot.Freeze, error)
	SetRoute(ctx context.Context, r dobot.Route) error
	DeleteRoute(ctx context.Context, app string) (bool, error)
	Route(ctx context.Context, app string) (dobot.Route, error)
	PutBinding(ctx context.Context, b dobot.Binding) error
	Binding(ctx context.Context, id int64) (dobot.Binding, error)
}

// What a lock and a freeze stop. A lock stops every action that changes
// the app; a freeze stops what ships new code. Extend is not stopped by
// either: it only postpones a teardown, which is what a lock protects
// against. TTL expiry is stopped by a lock (see expireApp), not by a freeze.
var (
	lockedActions = []string{ActionLaunch, ActionRedeploy, ActionRollback, ActionTeardown, ActionDroplet,
		ActionScale, ActionRestart, ActionEnv, ActionDomains}
	frozenActions = []string{ActionLaunch, ActionRedeploy, ActionRollback}
	// breakableActions take --break-glass REASON.
	breakableActions = []string{ActionLaunch, ActionRedeploy, ActionRollback, ActionTeardown}
)

// Holds is everything that holds apps back now: every lock and every
// freeze in force. The ops view and the Home tab show it with Lines.
type Holds struct {
	Locks   []dobot.AppHold
	Freezes []dobot.Freeze
}

// Holds reads the locks and the freezes in force.
func (b *Bot) Holds(ctx context.Context) (Holds, error) {
	locks, err := b.store.AppLocks(ctx)
	if err != nil {
		return Holds{}, err
	}
	freezes, err := b.store.Freezes(ctx, b.now())
	if err != nil {
		return Holds{}, err
	}
	return Holds{Locks: locks, Freezes: freezes}, nil
}

// On returns the lock on app, if any, and the freezes that cover it.
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

// LockLine describes one lock: "🔒 web locked by @ana since … : reason".
func LockLine(l dobot.AppHold) string {
	return fmt.Sprintf("%s %s %s", chat.IconLock, Escape(l.App), lockedText(l))
}

// lockedText is "locked by @ana since …: reason".
func lockedText(l dobot.AppHold) string {
	return fmt.Sprintf("locked by %s since %s%s", chat.Mention(l.Holder), l.Since.UTC().Format(timeFormat), reasonSuffix(l.Reason))
}

// FreezeLine describes one freeze: "🧊 Deploys frozen on prod-* until …".
func FreezeLine(f dobot.Freeze) string {
	return fmt.Sprintf("%s Deploys frozen on %s until %s by %s (since %s)%s", iconFreeze, freezeScope(f.Glob),
		f.Until.UTC().Format(timeFormat), chat.Mention(f.By), f.Since.UTC().Format(timeFormat), reasonSuffix(f.Reason))
}

// iconFreeze marks a freeze. It is a plain Unicode emoji, as chat's icons.
const iconFreeze = "🧊"

func freezeScope(glob string) string {
	if glob == "*" {
		return "every app"
	}
	return "apps matching " + Escape(glob)
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + Escape(reason)
}

// holdLines are the lines about app's lock and freezes, for status and
// list; "" when nothing holds it.
func (b *Bot) holdLines(ctx context.Context, app string) string {
	h, err := b.Holds(ctx)
	if err != nil {
		b.log.Warn("read holds", "app", app, "err", err)
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

// blockage is what holds one action on one app back: its lock, when the
// action is one a lock stops, and the freezes that cover it, when the
// action is one a freeze stops.
type blockage struct {
	app     string
	lock    *dobot.AppHold
	freezes []dobot.Freeze
}

func (bl blockage) blocked() bool { return bl.lock != nil || len(bl.freezes) > 0 }

// blockageFor reads what holds action on app back now.
func (b *Bot) blockageFor(ctx context.Context, action, app string) (blockage, error) {
	bl := blockage{app: app}
	if app == "" || !containsString(lockedActions, action) {
		return bl, nil
	}
	h, err := b.Holds(ctx)
	if err != nil {
		return bl, fmt.Errorf("read locks and freezes: %w", err)
	}
	lock, freezes := h.On(app)
	bl.lock = lock
	if containsString(frozenActions, action) {
		bl.freezes = freezes
	}
	return bl, nil
}

// why says who holds the app back, since when and why, as message text.
func (bl blockage) why() string {
	var parts []string
	if l := bl.lock; l != nil {
		parts = append(parts, fmt.Sprintf("%s is locked by %s since %s%s", Escape(bl.app), chat.Mention(l.Holder),
			l.Since.UTC().Format(timeFormat), reasonSuffix(l.Reason)))
	}
	for _, f := range bl.freezes {
		parts = append(parts, fmt.Sprintf("deploys to %s are frozen until %s by %s (freeze on %s since %s)%s", Escape(bl.app),
			f.Until.UTC().Format(timeFormat), chat.Mention(f.By), Escape(f.Glob), f.Since.UTC().Format(timeFormat), reasonSuffix(f.Reason)))
	}
	return strings.Join(parts, "; ")
}

// holders are the people to tell when the glass is broken: the lock's
// holder and each freeze's author, once each.
func (bl blockage) holders() []string {
	var out []string
	add := func(id string) {
		if !containsString(out, id) {
			out = append(out, id)
		}
	}
	if bl.lock != nil {
		add(bl.lock.Holder)
	}
	for _, f := range bl.freezes {
		add(f.By)
	}
	return out
}

// refusal is the answer to command (acting as action) that a hold stops.
func (bl blockage) refusal(command, action string) error {
	var ways []string
	if bl.lock != nil {
		ways = append(ways, fmt.Sprintf("ask them to `/do unlock %s`", Escape(bl.app)))
	}
	if len(bl.freezes) > 0 {
		ways = append(ways, "wait for the freeze to end (or an admin's `/do unfreeze`)")
	}
	fix := strings.ToUpper(ways[0][:1]) + strings.Join(ways, ", and ")[1:]
	if containsString(breakableActions, action) {
		fix += "; an admin may override with `--break-glass REASON`"
	} else {
		fix += "; an admin may `/do unlock` any lock"
	}
	return userErrorf("%s cannot run: %s. %s. Nothing was changed.", command, Markup(bl.why()), Markup(fix))
}

// breach is an admin's --break-glass over what held an action back.
type breach struct {
	reason string
	bl     blockage
}

// checkHolds refuses an action a lock or a freeze stops, unless an admin
// broke the glass: then it returns the breach, to be audited and announced
// once the operation exists. --break-glass where nothing holds the app is
// refused too, so it never marks an ordinary action.
func (b *Bot) checkHolds(ctx context.Context, inv *Invocation) (*breach, error) {
	if dryRun(inv.Args) {
		return nil, nil // changes nothing, so nothing holds it back
	}
	app, glass := targetOf(inv.Args), breakGlassOf(inv.Args)
	bl, err := b.blockageFor(ctx, inv.Command.Action, app)
	if err != nil {
		return nil, err
	}
	switch {
	case !bl.blocked() && glass == "":
		return nil, nil
	case !bl.blocked():
		return nil, userErrorf("nothing holds %s back (no lock, and no freeze on %s), so there is no glass to break. Run it again without --break-glass. Nothing was changed.", app, inv.Command.Name)
	case glass == "":
		return nil, bl.refusal(inv.Command.Name, inv.Command.Action)
	case inv.Role < dobot.RoleAdmin:
		return nil, userErrorf("only an admin may use --break-glass, and %s. %s", roleText(inv.Role), bl.refusal(inv.Command.Name, inv.Command.Action))
	}
	return &breach{reason: glass, bl: bl}, nil
}

// recordBreach audits a broken glass: one row naming the request, the
// reason and what was overridden, mirrored to the audit channel. The
// action does not run unless this row is written. Outcome is "override"
// when the action runs now, "requested" when it waits for approval (its
// approval writes the override row).
func (b *Bot) recordBreach(ctx context.Context, op dobot.Operation, br *breach, outcome string) error {
	details := fmt.Sprintf("request=%d action=%s reason=%q", op.ID, op.Action, br.reason)
	if l := br.bl.lock; l != nil {
		details += fmt.Sprintf(" lock_holder=%s lock_reason=%q", l.Holder, l.Reason)
	}
	for _, f := range br.bl.freezes {
		details += fmt.Sprintf(" freeze=%s freeze_by=%s", f.Glob, f.By)
	}
	return b.record(ctx, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "break-glass", Target: op.App, Decision: "allowed", Outcome: outcome, Details: details})
}

// breachNote is the thread reply that tells the holders their hold was
// overridden, and why.
func breachNote(op dobot.Operation, br *breach) Message {
	var who []string
	for _, id := range br.bl.holders() {
		who = append(who, chat.Mention(id))
	}
	return Message{Text: fmt.Sprintf("%s Break-glass: %s runs %s %s despite the hold (%s). Reason: %s. %s, for your information.",
		chat.IconWarning, chat.Mention(op.Requester), Escape(op.Action), Escape(op.App), br.bl.why(), Escape(br.reason), strings.Join(who, ", "))}
}

// announceBreach posts breachNote in the thread of op's card, once the
// card exists.
func (b *Bot) announceBreach(ctx context.Context, op dobot.Operation, br *breach) {
	if br == nil {
		return
	}
	if op.MessageTS == "" {
		if stored, err := b.store.Operation(ctx, op.ID); err == nil {
			op = stored
		}
	}
	if op.MessageTS == "" {
		b.log.Warn("no card to announce a break-glass in", "request", op.ID)
		return
	}
	if _, err := b.chat.Reply(ctx, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, breachNote(op, br)); err != nil {
		b.log.Warn("announce break-glass", "request", op.ID, "err", err)
	}
}

// holdsAtDecision checks, before an approval is applied, that no lock or
// freeze placed while the request waited now stops it. A request made with
// --break-glass (by an admin) goes ahead, audited and announced again. A
// refused approval changes nothing: the request keeps waiting.
func (b *Bot) holdsAtDecision(ctx context.Context, id int64) (*breach, error) {
	op, err := b.store.Operation(ctx, id)
	if errors.Is(err, dobot.ErrNotFound) || (err == nil && op.State != dobot.OpAwaitingApproval) {
		return nil, nil // the approval state machine gives the answer
	}
	if err != nil {
		return nil, err
	}
	bl, err := b.blockageFor(ctx, op.Action, op.App)
	if err != nil || !bl.blocked() {
		return nil, err
	}
	if glass := breakGlassOfStored(op.Args); glass != "" {
		return &breach{reason: glass, bl: bl}, nil
	}
	return nil, userErrorf("Request #%d cannot be approved now: %s. It keeps waiting; approve it once the hold is lifted. Nothing was changed.", op.ID, Markup(bl.why()))
}

// dryRun reports whether args ask for a --dry-run.
func dryRun(args any) bool {
	switch a := args.(type) {
	case LaunchArgs:
		return a.DryRun
	case ChangeArgs:
		return a.DryRun
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// unmanagedLocks are the lines of locks on names the bot does not manage
// (yet): a lock may be placed before a launch.
func unmanagedLocks(h Holds, apps []dobot.App) string {
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
