package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops"
)

// Expiring environments: a launch with --ttl is torn down when its time is
// up, after a reminder with Extend and Destroy-now buttons.
const (
	defaultExtend = time.Hour
	clickExtend   = "ttl_extend"
	clickDestroy  = "ttl_destroy"
	// botUser names the bot in the audit when it acts on its own.
	botUser = "dobot"
)

// expiryRetry is how long the bot waits before it tries an expiry teardown
// that failed again.
const expiryRetry = 15 * time.Minute

// ttlCheck is how often expiries are checked.
const ttlCheck = time.Second

// remind posts the expiry reminder in the app's thread, once.
func (b *Bot) remind(ctx context.Context, app dobot.App) {
	if ok, err := b.store.UpdateAppExpiry(ctx, app.Name, app.ExpiresAt, app.ExpiresAt, true); err != nil || !ok {
		if err != nil {
			b.log.Error("record reminder", "app", app.Name, "err", err)
		}
		return // extended or gone meanwhile
	}
	m := Message{
		Text: fmt.Sprintf(chat.IconAlarm+" %s, %s expires at %s and will then be torn down.", chat.Mention(app.Owner), app.Name, app.ExpiresAt.UTC().Format(timeFormat)),
		Buttons: []Button{
			{ActionID: clickExtend, Label: "Extend 1h", Value: app.Name, Style: "primary"},
			{ActionID: clickDestroy, Label: "Destroy now", Value: app.Name, Style: "danger"},
		},
		Footer: fmt.Sprintf("`/do extend %s 2h` extends by any duration.", app.Name),
	}
	b.appNotice(ctx, app, m)
}

// expireApp tears an expired app down without a new approval: the launch
// was the decision. The operation is the owner's; the audit names the bot.
func (b *Bot) expireApp(ctx context.Context, app dobot.App) {
	if _, err := b.store.ActiveOperation(ctx, app.Name); err == nil {
		return // something else holds the app; try at the next tick
	}
	if b.expiryHeld(ctx, app) {
		return // locked: tried again at every tick, so it goes once unlocked
	}
	// Should this teardown fail, try again later rather than every tick.
	if ok, err := b.store.UpdateAppExpiry(ctx, app.Name, app.ExpiresAt, b.now().Add(expiryRetry), true); err != nil || !ok {
		if err != nil {
			b.log.Error("record expiry retry", "app", app.Name, "err", err)
		}
		return // extended or gone meanwhile
	}
	raw, _ := json.Marshal(TeardownArgs{Name: app.Name, Kind: app.Kind, Reason: "TTL expired"})
	home, thread := b.opHome(ctx, app)
	op, err := b.store.CreateOperation(ctx, dobot.Operation{
		Action:        ActionTeardown,
		App:           app.Name,
		State:         dobot.OpRunning,
		Args:          string(raw),
		Requester:     app.Owner,
		RequesterName: botUser + " for " + app.Owner,
		CommandText:   fmt.Sprintf("(ttl expired at %s)", app.ExpiresAt.UTC().Format(timeFormat)),
		Reason:        "TTL expired",
		Card:          dobot.Card{Channel: home, MessageTS: thread},
		Sent:          dobot.Sent{ResourceID: app.ResourceID},
	})
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return // something else holds the app; try at the next tick
	}
	if err != nil {
		b.log.Error("start expiry teardown", "app", app.Name, "err", err)
		return
	}
	b.audit(ctx, b.log, dobot.AuditEntry{UserID: botUser, UserName: botUser + " for " + app.Owner, Channel: app.Channel,
		CommandText: op.CommandText, Action: "ttl.expired", Target: app.Name, Decision: "allowed", Outcome: "teardown",
		Details: fmt.Sprintf("owner=%s expired_at=%s", app.Owner, app.ExpiresAt.UTC().Format(time.RFC3339))})
	rep := b.reporterFor(op)
	b.startRouted(ctx, &op, rep)
	rep.Reply(ctx, infoMessage(fmt.Sprintf(chat.IconExpired+" %s reached the end of its TTL; tearing it down for %s.", app.Name, chat.Mention(app.Owner))))
	b.runExecutor("ttl-"+app.Name, b.table.actions[ActionTeardown], op, rep)
}

// ExtendArgs are extend's parsed arguments.
type ExtendArgs struct {
	Name string
	By   time.Duration
}

func (a ExtendArgs) Target() string { return a.Name }

var extendCommand = &Command{
	Name:        "extend",
	Usage:       "extend NAME DURATION",
	Description: "Push back the expiry of an app launched with --ttl, as the reminder's Extend button does. The app's owner, an approver or an admin may; BOT_MAX_TTL caps the whole lifetime from launch.",
	Examples:    []string{"extend demo 2h", "extend demo 2d"},
	MinRole:     dobot.RoleDeployer,
	Mutating:    true,
	Parse: func(words []string, cfg Config) (any, error) {
		if len(words) != 2 {
			return nil, userErrorf("extend takes an app name and a duration, like `/do extend demo 2h`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		d, err := parseTTL(words[1], cfg, "extend")
		if err != nil {
			return nil, err
		}
		return ExtendArgs{Name: words[0], By: d}, nil
	},
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[ExtendArgs](inv)
		if err != nil {
			return err
		}
		return b.extend(ctx, inv.Req, inv.Role, args.Name, args.By)
	},
}

// extend moves an app's expiry later by d, from now if it has passed. Only
// the app's owner, an approver or an admin may, and never past BOT_MAX_TTL
// from the app's launch: otherwise anyone could keep anything alive for
// ever, one extension at a time.
func (b *Bot) extend(ctx context.Context, who Request, role dobot.Role, name string, d time.Duration) error {
	app, err := b.plan.ManagedApp(ctx, name)
	if err != nil {
		return err
	}
	if app.ExpiresAt.IsZero() {
		return userErrorf("%s has no TTL, so there is nothing to extend.", name)
	}
	if who.UserID != app.Owner && role < dobot.RoleApprover {
		return userErrorf("Only %s, who launched %s, or an approver or admin may extend it, and %s. Nothing was changed.", Markup(chat.Mention(app.Owner)), name, roleText(role))
	}
	if holder, err := b.store.ActiveOperation(ctx, name); err == nil {
		return userErrorf("%s cannot be extended now: %s (%s) holds it.", name, opRef(holder), opWhat(holder))
	}
	to, err := ops.Extended(app, b.now(), d, b.cfg.maxTTL())
	var capped *ops.CapError
	if errors.As(err, &capped) {
		if capped.AtLimit {
			return userErrorf("%s already expires at the latest it may: BOT_MAX_TTL caps an app's lifetime at %s from its launch (%s). Nothing was changed.",
				name, dobot.FormatDuration(capped.Cap), capped.Launched.UTC().Format(timeFormat))
		}
		return userErrorf("%s cannot be extended by %s: BOT_MAX_TTL caps an app's lifetime at %s from its launch (%s), so it may live until %s at the latest, %s from its current expiry. Nothing was changed.",
			name, dobot.FormatDuration(d), dobot.FormatDuration(capped.Cap), capped.Launched.UTC().Format(timeFormat), capped.Limit.UTC().Format(timeFormat), dobot.FormatDuration(capped.Limit.Sub(capped.From).Truncate(time.Minute)))
	}
	if err != nil {
		return err
	}
	ok, err := b.store.UpdateAppExpiry(ctx, name, app.ExpiresAt, to, false)
	if err != nil {
		return fmt.Errorf("extend %s: %w", name, err)
	}
	if !ok {
		return userErrorf("%s changed while you extended it (another extend, or its teardown); check `/do list` and try again.", name)
	}
	app.ExpiresAt = to
	b.audit(ctx, b.log, dobot.AuditEntry{UserID: who.UserID, UserName: who.UserName, Channel: who.ChannelID, CommandText: commandText(who),
		Action: "ttl.extend", Target: name, Decision: "allowed", Outcome: "ok", Details: "expires_at=" + app.ExpiresAt.UTC().Format(time.RFC3339)})
	text := fmt.Sprintf(chat.IconAlarm+" %s extended %s; it now expires at %s.", chat.Mention(who.UserID), name, app.ExpiresAt.UTC().Format(timeFormat))
	if app.ThreadTS != "" {
		if _, err := b.chat.Reply(ctx, deploy.ThreadOf(app), infoMessage(text)); err == nil {
			return nil
		}
	}
	b.tell(ctx, who, infoMessage(text))
	return nil
}

// ageText is a duration rounded for people: 45s, 12m, 3h10m, 4d2h.
func ageText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}
