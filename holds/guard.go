package holds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/reply"
)

// What a lock and a freeze stop. A lock stops every action that changes
// the app; a freeze stops what ships new code. Extend is not stopped by
// either: it only postpones a teardown, which is what a lock protects
// against. TTL expiry is stopped by a lock (see ExpiryHeld), not by a freeze.
var (
	lockedActions = []string{deploy.ActionLaunch, deploy.ActionRedeploy, deploy.ActionRollback, deploy.ActionTeardown,
		deploy.ActionDroplet, deploy.ActionScale, deploy.ActionRestart, deploy.ActionEnv, deploy.ActionDomains}
	frozenActions = []string{deploy.ActionLaunch, deploy.ActionRedeploy, deploy.ActionRollback}
	// breakableActions take --break-glass REASON.
	breakableActions = []string{deploy.ActionLaunch, deploy.ActionRedeploy, deploy.ActionRollback, deploy.ActionTeardown}
)

// blockage is what holds one action on one app back: its lock, when the
// action is one a lock stops, and the freezes that cover it, when the
// action is one a freeze stops.
type blockage struct {
	app     string
	lock    *dobot.AppHold
	freezes []dobot.Freeze
}

func (bl blockage) blocked() bool { return bl.lock != nil || len(bl.freezes) > 0 }

// blockage reads what holds action on app back now.
func (s *Service) blockage(ctx context.Context, action, app string) (blockage, error) {
	bl := blockage{app: app}
	if app == "" || !slices.Contains(lockedActions, action) {
		return bl, nil
	}
	h, err := s.Holds(ctx)
	if err != nil {
		return bl, fmt.Errorf("read locks and freezes: %w", err)
	}
	lock, freezes := h.On(app)
	bl.lock = lock
	if slices.Contains(frozenActions, action) {
		bl.freezes = freezes
	}
	return bl, nil
}

// why says who holds the app back, since when and why, as message text.
func (bl blockage) why() string {
	var parts []string
	app := reply.Escape(bl.app)
	if l := bl.lock; l != nil {
		parts = append(parts, fmt.Sprintf("%s is locked by %s since %s%s", app, chat.Mention(l.Holder), stamp(l.Since), reasonSuffix(l.Reason)))
	}
	for _, f := range bl.freezes {
		parts = append(parts, fmt.Sprintf("deploys to %s are frozen until %s by %s (freeze on %s since %s)%s", app,
			stamp(f.Until), chat.Mention(f.By), reply.Escape(f.Glob), stamp(f.Since), reasonSuffix(f.Reason)))
	}
	return strings.Join(parts, "; ")
}

// holders are the people to tell when the glass is broken: the lock's
// holder and each freeze's author, once each.
func (bl blockage) holders() []string {
	var out []string
	add := func(id string) {
		if !slices.Contains(out, id) {
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
		ways = append(ways, fmt.Sprintf("ask them to `/do unlock %s`", reply.Escape(bl.app)))
	}
	if len(bl.freezes) > 0 {
		ways = append(ways, "wait for the freeze to end (or an admin's `/do unfreeze`)")
	}
	fix := strings.ToUpper(ways[0][:1]) + strings.Join(ways, ", and ")[1:]
	if slices.Contains(breakableActions, action) {
		fix += "; an admin may override with `--break-glass REASON`"
	} else {
		fix += "; an admin may `/do unlock` any lock"
	}
	return reply.Errorf("%s cannot run: %s. %s. Nothing was changed.", command, reply.Markup(bl.why()), reply.Markup(fix))
}

// Breach is an admin's --break-glass over what held an action back, to
// be audited (RecordBreach) and announced (AnnounceBreach) once the
// operation exists.
type Breach struct {
	reason string
	bl     blockage
}

// Ask is one mutating command as the guardrail weighs it.
type Ask struct {
	Command string // its name, as the refusal quotes it
	Action  string // the action it runs, which decides what stops it
	App     string // its target, "" for none
	Glass   string // its --break-glass reason, or ""
	Role    dobot.Role
	DryRun  bool // it changes nothing
}

// Check refuses an action a lock or a freeze stops, unless an admin
// broke the glass: then it returns the breach, to be audited and announced
// once the operation exists. --break-glass where nothing holds the app is
// refused too, so it never marks an ordinary action.
func (s *Service) Check(ctx context.Context, a Ask) (*Breach, error) {
	if a.DryRun {
		return nil, nil // changes nothing, so nothing holds it back
	}
	bl, err := s.blockage(ctx, a.Action, a.App)
	if err != nil {
		return nil, err
	}
	switch {
	case !bl.blocked() && a.Glass == "":
		return nil, nil
	case !bl.blocked():
		return nil, reply.Errorf("nothing holds %s back (no lock, and no freeze on %s), so there is no glass to break. Run it again without --break-glass. Nothing was changed.", a.App, a.Command)
	case a.Glass == "":
		return nil, bl.refusal(a.Command, a.Action)
	case a.Role < dobot.RoleAdmin:
		return nil, reply.Errorf("only an admin may use --break-glass, and %s. %s", roleText(a.Role), bl.refusal(a.Command, a.Action))
	}
	return &Breach{reason: a.Glass, bl: bl}, nil
}

// RecordBreach audits a broken glass: one row naming the request, the
// reason and what was overridden, mirrored to the audit channel. The
// action does not run unless this row is written. Outcome is "override"
// when the action runs now, "requested" when it waits for approval (its
// approval writes the override row).
func (s *Service) RecordBreach(ctx context.Context, op dobot.Operation, br *Breach, outcome string) error {
	details := fmt.Sprintf("request=%d action=%s reason=%q", op.ID, op.Action, br.reason)
	if l := br.bl.lock; l != nil {
		details += fmt.Sprintf(" lock_holder=%s lock_reason=%q", l.Holder, l.Reason)
	}
	for _, f := range br.bl.freezes {
		details += fmt.Sprintf(" freeze=%s freeze_by=%s", f.Glob, f.By)
	}
	return s.d.Record(ctx, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "break-glass", Target: op.App, Decision: "allowed", Outcome: outcome, Details: details})
}

// breachNote is the thread reply that tells the holders their hold was
// overridden, and why.
func breachNote(op dobot.Operation, br *Breach) chat.Message {
	var who []string
	for _, id := range br.bl.holders() {
		who = append(who, chat.Mention(id))
	}
	return chat.Message{Text: fmt.Sprintf("%s Break-glass: %s runs %s %s despite the hold (%s). Reason: %s. %s, for your information.",
		chat.IconWarning, chat.Mention(op.Requester), reply.Escape(op.Action), reply.Escape(op.App), br.bl.why(), reply.Escape(br.reason), strings.Join(who, ", "))}
}

// AnnounceBreach posts the breach's note in the thread of op's card, once
// the card exists; a nil br announces nothing.
func (s *Service) AnnounceBreach(ctx context.Context, op dobot.Operation, br *Breach) {
	if br == nil {
		return
	}
	if op.MessageTS == "" {
		if stored, err := s.d.Store.Operation(ctx, op.ID); err == nil {
			op = stored
		}
	}
	if op.MessageTS == "" {
		s.d.Log.Warn("no card to announce a break-glass in", "request", op.ID)
		return
	}
	if _, err := s.d.Chat.Reply(ctx, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, breachNote(op, br)); err != nil {
		s.d.Log.Warn("announce break-glass", "request", op.ID, "err", err)
	}
}

// AtDecision checks, before request id's approval is applied, that no
// lock or freeze placed while it waited now stops it. A request made with
// --break-glass (by an admin) goes ahead, audited and announced again. A
// refused approval changes nothing: the request keeps waiting.
func (s *Service) AtDecision(ctx context.Context, id int64) (*Breach, error) {
	op, err := s.d.Store.Operation(ctx, id)
	if errors.Is(err, dobot.ErrNotFound) || (err == nil && op.State != dobot.OpAwaitingApproval) {
		return nil, nil // the approval state machine gives the answer
	}
	if err != nil {
		return nil, err
	}
	bl, err := s.blockage(ctx, op.Action, op.App)
	if err != nil || !bl.blocked() {
		return nil, err
	}
	if glass := storedGlass(op.Args); glass != "" {
		return &Breach{reason: glass, bl: bl}, nil
	}
	return nil, reply.Errorf("Request #%d cannot be approved now: %s. It keeps waiting; approve it once the hold is lifted. Nothing was changed.", op.ID, reply.Markup(bl.why()))
}

// glassBreaker is implemented by the arguments of the actions that take
// --break-glass (deploy's argument types).
type glassBreaker interface{ GlassReason() string }

// GlassOf is the --break-glass reason in a command's arguments, or "".
func GlassOf(args any) string {
	if g, ok := args.(glassBreaker); ok {
		return g.GlassReason()
	}
	return ""
}

// storedGlass is the --break-glass reason in an operation's stored
// arguments, or "".
func storedGlass(raw string) string {
	var a struct{ BreakGlass string }
	if json.Unmarshal([]byte(raw), &a) != nil {
		return ""
	}
	return a.BreakGlass
}
