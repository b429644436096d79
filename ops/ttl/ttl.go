// Package ttl ends the apps launched with --ttl: it reminds their owners
// with Extend and Destroy-now buttons, tears them down when their time is
// up (without a new approval: the launch was the decision), and extends
// them on request, never past BOT_MAX_TTL from their launch.
package ttl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/launchargs"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
)

// The reminder's buttons, and what Extend extends by.
const (
	ClickExtend   = "ttl_extend"
	ClickDestroy  = "ttl_destroy"
	DefaultExtend = time.Hour
	// BotUser names the bot in the audit when it acts on its own.
	BotUser = "dobot"
)

// expiryRetry is how long the bot waits before it tries an expiry teardown
// that failed again.
const expiryRetry = 15 * time.Minute

// Store is what expiring apps read and change: an app's expiry (a
// compare-and-set on its current value), the operation holding an app,
// and the teardown's operation.
type Store interface {
	UpdateAppExpiry(ctx context.Context, name string, from, to time.Time, reminded bool) (bool, error)
	ActiveOperation(ctx context.Context, app string) (dobot.Operation, error)
	CreateOperation(ctx context.Context, op dobot.Operation) (dobot.Operation, error)
}

// Deps are the collaborators of TTL expiry.
type Deps struct {
	Store  Store
	Chat   chat.Chat
	Now    func() time.Time
	Log    *slog.Logger
	MaxTTL time.Duration // BOT_MAX_TTL
	// ManagedApp loads an app the bot manages, or a user error.
	ManagedApp func(ctx context.Context, name string) (dobot.App, error)
	// Held reports whether a lock holds app's expiry back (and says so).
	Held func(ctx context.Context, app dobot.App) bool
	// Notice posts about app where its messages go; Home is where an
	// operation the bot starts on its own for app reports.
	Notice func(ctx context.Context, app dobot.App, m chat.Message)
	Home   func(ctx context.Context, app dobot.App) (channel, thread string)
	// Reporter reports on op's card and thread; StartRouted posts op's
	// card when Home sent it to a channel of its own; Start runs op.
	Reporter    func(op dobot.Operation) *progress.Reporter
	StartRouted func(ctx context.Context, op *dobot.Operation, rep *progress.Reporter)
	Start       func(ref string, op dobot.Operation, rep *progress.Reporter)
	// Audit appends a row, logging a failure.
	Audit func(ctx context.Context, e dobot.AuditEntry)
}

// TTL reminds, expires and extends apps.
type TTL struct{ d Deps }

// New returns a TTL.
func New(d Deps) *TTL { return &TTL{d: d} }

// Remind posts the expiry reminder in the app's thread, once.
func (t *TTL) Remind(ctx context.Context, app dobot.App) {
	if ok, err := t.d.Store.UpdateAppExpiry(ctx, app.Name, app.ExpiresAt, app.ExpiresAt, true); err != nil || !ok {
		if err != nil {
			t.d.Log.Error("record reminder", "app", app.Name, "err", err)
		}
		return // extended or gone meanwhile
	}
	m := chat.Message{
		Text: fmt.Sprintf(chat.IconAlarm+" %s, %s expires at %s and will then be torn down.", chat.Mention(app.Owner), app.Name, app.ExpiresAt.UTC().Format(ops.TimeFormat)),
		Buttons: []chat.Button{
			{ActionID: ClickExtend, Label: "Extend 1h", Value: app.Name, Style: "primary"},
			{ActionID: ClickDestroy, Label: "Destroy now", Value: app.Name, Style: "danger"},
		},
		Footer: fmt.Sprintf("`/do extend %s 2h` extends by any duration.", app.Name),
	}
	t.d.Notice(ctx, app, m)
}

// Expire tears an expired app down without a new approval: the launch
// was the decision. The operation is the owner's; the audit names the bot.
func (t *TTL) Expire(ctx context.Context, app dobot.App) {
	if _, err := t.d.Store.ActiveOperation(ctx, app.Name); err == nil {
		return // something else holds the app; try at the next tick
	}
	if t.d.Held(ctx, app) {
		return // locked: tried again at every tick, so it goes once unlocked
	}
	// Should this teardown fail, try again later rather than every tick.
	if ok, err := t.d.Store.UpdateAppExpiry(ctx, app.Name, app.ExpiresAt, t.d.Now().Add(expiryRetry), true); err != nil || !ok {
		if err != nil {
			t.d.Log.Error("record expiry retry", "app", app.Name, "err", err)
		}
		return // extended or gone meanwhile
	}
	raw, _ := json.Marshal(deploy.TeardownArgs{Name: app.Name, Kind: app.Kind, Reason: "TTL expired"})
	home, thread := t.d.Home(ctx, app)
	op, err := t.d.Store.CreateOperation(ctx, dobot.Operation{
		Action:        deploy.ActionTeardown,
		App:           app.Name,
		State:         dobot.OpRunning,
		Args:          string(raw),
		Requester:     app.Owner,
		RequesterName: BotUser + " for " + app.Owner,
		CommandText:   fmt.Sprintf("(ttl expired at %s)", app.ExpiresAt.UTC().Format(ops.TimeFormat)),
		Reason:        "TTL expired",
		Card:          dobot.Card{Channel: home, MessageTS: thread},
		Sent:          dobot.Sent{ResourceID: app.ResourceID},
	})
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return // something else holds the app; try at the next tick
	}
	if err != nil {
		t.d.Log.Error("start expiry teardown", "app", app.Name, "err", err)
		return
	}
	t.d.Audit(ctx, dobot.AuditEntry{UserID: BotUser, UserName: BotUser + " for " + app.Owner, Channel: app.Channel,
		CommandText: op.CommandText, Action: "ttl.expired", Target: app.Name, Decision: "allowed", Outcome: "teardown",
		Details: fmt.Sprintf("owner=%s expired_at=%s", app.Owner, app.ExpiresAt.UTC().Format(time.RFC3339))})
	rep := t.d.Reporter(op)
	t.d.StartRouted(ctx, &op, rep)
	rep.Reply(ctx, chat.Message{Text: fmt.Sprintf(chat.IconExpired+" %s reached the end of its TTL; tearing it down for %s.", app.Name, chat.Mention(app.Owner))})
	t.d.Start("ttl-"+app.Name, op, rep)
}

// Who is the person extending an app, and where.
type Who struct {
	UserID, UserName, Channel, CommandText string
	Role                                   dobot.Role
}

// Extend moves an app's expiry later by d, from now if it has passed. Only
// the app's owner, an approver or an admin may, and never past BOT_MAX_TTL
// from the app's launch: otherwise anyone could keep anything alive for
// ever, one extension at a time. It says so in the app's thread; when it
// could not, it returns the message to tell the person instead.
func (t *TTL) Extend(ctx context.Context, who Who, name string, d time.Duration) (tell *chat.Message, err error) {
	app, err := t.d.ManagedApp(ctx, name)
	if err != nil {
		return nil, err
	}
	to, err := t.extended(ctx, who, app, d)
	if err != nil {
		return nil, err
	}
	ok, err := t.d.Store.UpdateAppExpiry(ctx, name, app.ExpiresAt, to, false)
	if err != nil {
		return nil, fmt.Errorf("extend %s: %w", name, err)
	}
	if !ok {
		return nil, reply.Errorf("%s changed while you extended it (another extend, or its teardown); check `/do list` and try again.", name)
	}
	app.ExpiresAt = to
	t.d.Audit(ctx, dobot.AuditEntry{UserID: who.UserID, UserName: who.UserName, Channel: who.Channel, CommandText: who.CommandText,
		Action: "ttl.extend", Target: name, Decision: "allowed", Outcome: "ok", Details: "expires_at=" + app.ExpiresAt.UTC().Format(time.RFC3339)})
	m := chat.Message{Text: fmt.Sprintf(chat.IconAlarm+" %s extended %s; it now expires at %s.", chat.Mention(who.UserID), name, app.ExpiresAt.UTC().Format(ops.TimeFormat))}
	if app.ThreadTS != "" {
		if _, err := t.d.Chat.Reply(ctx, deploy.ThreadOf(app), m); err == nil {
			return nil, nil
		}
	}
	return &m, nil
}

// extended is app's new expiry, or a user error saying why who may not
// extend it by d.
func (t *TTL) extended(ctx context.Context, who Who, app dobot.App, d time.Duration) (time.Time, error) {
	name := app.Name
	if app.ExpiresAt.IsZero() {
		return time.Time{}, reply.Errorf("%s has no TTL, so there is nothing to extend.", name)
	}
	if who.UserID != app.Owner && who.Role < dobot.RoleApprover {
		return time.Time{}, reply.Errorf("Only %s, who launched %s, or an approver or admin may extend it, and %s. Nothing was changed.", reply.Markup(chat.Mention(app.Owner)), name, reply.RoleText(who.Role))
	}
	if holder, err := t.d.Store.ActiveOperation(ctx, name); err == nil {
		return time.Time{}, reply.Errorf("%s cannot be extended now: %s (%s) holds it.", name, deploy.Ref(holder), deploy.What(holder))
	}
	to, err := ops.Extended(app, t.d.Now(), d, t.d.MaxTTL)
	var capped *ops.CapError
	if errors.As(err, &capped) {
		if capped.AtLimit {
			return time.Time{}, reply.Errorf("%s already expires at the latest it may: BOT_MAX_TTL caps an app's lifetime at %s from its launch (%s). Nothing was changed.",
				name, dobot.FormatDuration(capped.Cap), capped.Launched.UTC().Format(ops.TimeFormat))
		}
		return time.Time{}, reply.Errorf("%s cannot be extended by %s: BOT_MAX_TTL caps an app's lifetime at %s from its launch (%s), so it may live until %s at the latest, %s from its current expiry. Nothing was changed.",
			name, dobot.FormatDuration(d), dobot.FormatDuration(capped.Cap), capped.Launched.UTC().Format(ops.TimeFormat), capped.Limit.UTC().Format(ops.TimeFormat), dobot.FormatDuration(capped.Limit.Sub(capped.From).Truncate(time.Minute)))
	}
	return to, err
}

// ExtendArgs are extend's parsed arguments.
type ExtendArgs struct {
	Name string
	By   time.Duration
}

// Target is the app extended.
func (a ExtendArgs) Target() string { return a.Name }

// ParseExtend reads extend's words: an app name and a duration, capped by
// maxTTL (BOT_MAX_TTL) as launch's --ttl is.
func ParseExtend(words []string, maxTTL time.Duration) (ExtendArgs, error) {
	if len(words) != 2 {
		return ExtendArgs{}, reply.Errorf("extend takes an app name and a duration, like `/do extend demo 2h`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(words[0])); err != nil {
		return ExtendArgs{}, err
	}
	d, err := launchargs.ParseTTL(words[1], maxTTL, "extend")
	if err != nil {
		return ExtendArgs{}, err
	}
	return ExtendArgs{Name: words[0], By: d}, nil
}
