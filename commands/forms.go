package commands

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"

	"dobot"
	"dobot/auditview"
	"dobot/chatview"
	"dobot/deploy"
	"dobot/launchargs"
	"dobot/reply"
	"dobot/secrets"
)

// openLaunchFormFor opens the launch form for a bare `/do launch` (when
// DO_APP_NAME and DO_IMAGE are not both set) or `/do launch --form`, and
// reports whether req was such a command. Without views it is not: the
// command parses as typed and says what is missing.
func (b *Bot) openLaunchFormFor(ctx context.Context, req Request) bool {
	if b.svc.ui.views == nil || req.TriggerID == "" {
		return false
	}
	if !b.svc.launch.WantsForm(req.Text) {
		return false
	}
	b.openLaunchForm(ctx, req)
	return true
}

// openLaunchForm opens the launch form for req's person, prefilled with
// what they typed after `/do launch` and else the settings. Someone who
// may not launch is told so instead: a form they could not submit helps
// nobody.
func (b *Bot) openLaunchForm(ctx context.Context, req Request) {
	role, err := b.store.Role(ctx, req.UserID)
	need, _, perr := b.requiredRole(ctx, launchCommand, nil, b.cfg.DefaultApp)
	if err := errors.Join(err, perr); err != nil {
		b.tell(ctx, req, reply.Warning(reply.Describe(err, req.Ref)))
		return
	}
	// Audited first, as a typed command: the row claims the envelope.
	entry := dobot.AuditEntry{UserID: req.UserID, UserName: req.UserName, Channel: req.ChannelID,
		CommandText: secrets.StoredCommand(req.Text), Action: launchCommand.Name, Decision: "allowed", Outcome: auditview.FormOpened}
	var f chatview.Form
	var refusal string
	if role < need {
		entry.Decision, entry.Outcome, entry.Error = "refused", "not permitted", fmt.Sprintf("needs %s, has %s", need, role)
		refusal = b.svc.access.Refusal(ctx, req.Button, launchCommand.Name, need, role)
	} else if f, err = b.svc.launch.LaunchFormFor(ctx, req.Text, launchargs.Meta{Channel: req.ChannelID, ResponseURL: req.ResponseURL}); err != nil {
		entry.Decision, entry.Outcome, entry.Error = "refused", "bad input", err.Error()
		refusal = reply.Describe(err, req.Ref)
	}
	if !b.eng.trail.First(ctx, b.log, entry) {
		return
	}
	if refusal != "" {
		b.tell(ctx, req, reply.Warning(refusal))
		return
	}
	if _, err := b.svc.ui.views.OpenForm(ctx, req.TriggerID, f); err != nil {
		b.formFailed(ctx, req, err)
	}
}

// formFailed tells the person a form could not be opened.
func (b *Bot) formFailed(ctx context.Context, req Request, err error) {
	if errors.Is(err, chatview.ErrTriggerExpired) {
		b.tell(ctx, req, reply.Warning("The form could not open in time; try again."))
		return
	}
	b.log.Error("open form", "ref", req.Ref, "err", err)
	b.tell(ctx, req, reply.Warning(reply.Describe(fmt.Errorf("open form: %w", err), req.Ref)))
}

// SubmitForm answers a submitted form (chatview.Handler). It checks what
// it can within the chat service's budget, showing mistakes on the form's
// fields, then runs the command the form stands for on the usual path, in
// the background, and closes the form.
func (b *Bot) SubmitForm(ctx context.Context, s chatview.Submission) chatview.Reply {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic in a form submission", "form", s.FormID, "user", s.UserID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	meta := launchargs.DecodeMeta(s.Metadata)
	req := Request{Ref: "form-" + s.FormRef, UserID: s.UserID, UserName: s.UserName, ChannelID: meta.Channel, ResponseURL: meta.ResponseURL}
	if req.ChannelID == "" {
		req.ChannelID = s.UserID // opened from the home page: answers go to the person's direct messages
	}
	switch s.FormID {
	case launchargs.FormLaunch:
		l, errs := b.svc.launch.Submit(ctx, s.Values)
		if len(errs) > 0 {
			return chatview.Reply{Errors: errs}
		}
		req.Text = l.Text
		b.runSubmitted(req, launchCommand, l.Args)
		return chatview.Reply{}
	case launchargs.FormDeny:
		r, errs := launchargs.ReadDeny(meta, s.Values[launchargs.FieldReason])
		if errs != nil {
			return chatview.Reply{Errors: errs}
		}
		req.Button, req.Text = "Deny", r.Text
		b.runSubmitted(req, denyCommand, requestIDArgs{id: r.ID, reason: r.Reason, card: meta.Card})
		return chatview.Reply{}
	case launchargs.FormTeardown:
		r := launchargs.ReadTeardown(meta, s.Values[launchargs.FieldReason])
		args, err := teardownCommand.Parse(r.Words, b.cfg)
		if err != nil {
			return chatview.Reply{Errors: map[string]string{launchargs.FieldReason: err.Error()}}
		}
		req.Button, req.Text = "Destroy now", r.Text
		b.runSubmitted(req, teardownCommand, args)
		return chatview.Reply{}
	}
	return chatview.Reply{Errors: map[string]string{"": "This form is not one the bot knows (it may be from an older version). Nothing was changed."}}
}

// FormClosed is told of a form closed unsubmitted (chatview.Handler). The
// bot's forms change nothing until submitted, so there is nothing to undo.
func (b *Bot) FormClosed(context.Context, chatview.Closed) {}

// runSubmitted runs a form's command in the background on the path every
// typed command takes (dispatch: authorisation, policy, approval, audit),
// answering in the channel the form came from.
func (b *Bot) runSubmitted(req Request, cmd *Command, args any) {
	b.background("form "+cmd.Name, func(ctx context.Context) {
		log := b.log.With("ref", req.Ref, "user", req.UserID)
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic running a form's command", "panic", p, "stack", string(debug.Stack()))
				b.tell(context.WithoutCancel(ctx), req, reply.Warning(reply.Describe(reply.ErrPanic, req.Ref)))
			}
		}()
		ctx, cancel := context.WithTimeout(ctx, b.cfg.CommandTimeout)
		defer cancel()
		entry := dobot.AuditEntry{UserID: req.UserID, UserName: req.UserName, Channel: req.ChannelID, CommandText: secrets.StoredCommand(req.Text)}
		b.dispatch(ctx, log, req, cmd, args, entry)
	})
}

// askReason opens a form asking for the reason of a Deny or a teardown
// pressed as a button (a card's, the ops list's, a reminder's Destroy
// now), and reports whether it did; the form's submission runs the
// command. Without views or a trigger, for a bad button value, or for
// someone the command would refuse, the button takes its usual path.
func (b *Bot) askReason(ctx context.Context, c Click, route *clickRoute) bool {
	if b.svc.ui.views == nil || c.TriggerID == "" || (route.command != denyCommand.Name && route.command != teardownCommand.Name) {
		return false
	}
	args, err := route.args(c)
	if err != nil {
		return false // the click path says what is wrong
	}
	meta := launchargs.Meta{Channel: c.ChannelID, ResponseURL: c.ResponseURL}
	var f chatview.Form
	switch a := args.(type) {
	case requestIDArgs:
		meta.Card, meta.Target = a.card, strconv.FormatInt(a.id, 10)
		f = b.svc.launch.DenyFormFor(ctx, a.id, meta)
	case deploy.TeardownArgs:
		meta.Target = a.Name
		f = launchargs.TeardownForm(a.Name, a.Reason, meta)
	default:
		return false
	}
	if !b.mayRun(ctx, c.UserID, b.table.lookup(route.command), args) {
		return false // the click path refuses it, audited, and says who may
	}
	if _, err := b.svc.ui.views.OpenForm(ctx, c.TriggerID, f); err != nil {
		// A late trigger must not lose the click: it acts without a reason.
		b.log.Warn("open the reason form; the button acts without one", "ref", c.Ref, "action", c.ActionID, "err", err)
		return false
	}
	return true
}

// mayRun reports whether userID may run cmd with args now, as dispatch
// would decide: a form is only worth opening for someone whose submission
// would not be refused.
func (b *Bot) mayRun(ctx context.Context, userID string, cmd *Command, args any) bool {
	role, err := b.store.Role(ctx, userID)
	if err != nil {
		return false
	}
	need, _, err := b.requiredRole(ctx, cmd, args, targetOf(args))
	if err != nil {
		return false
	}
	return role >= need || (cmd.Own != nil && cmd.Own(ctx, b, userID, args))
}
