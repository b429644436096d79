package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops"
	"dobot/progress"
	"dobot/secrets"
)

// Button action ids on approval cards. The value is the request id.
const (
	clickApprove = "approve"
	clickDeny    = "deny"
)

const timeFormat = ops.TimeFormat

// requestApproval posts op's approval card with its buttons and tells the
// requester privately that the request waits for a second person.
func (b *Bot) requestApproval(ctx context.Context, inv *Invocation, op dobot.Operation, plan *Plan) error {
	card, err := b.chat.Post(ctx, op.Channel, approvalCard(op, plan.Fields, true))
	if err != nil {
		b.exec.Finish(ctx, &op, dobot.OpCanceled, "could not post the approval card: "+err.Error())
		if errors.Is(err, ErrCannotPost) {
			return userErrorf("%s needs approval, and approvers must see the request: invite the bot to this channel (`/invite @dobot`) or ask in a channel it is in. Nothing was changed.", plan.Summary)
		}
		return fmt.Errorf("post approval card: %w", err)
	}
	// Only now, with its card known, does the request wait for a decision.
	carded, ok, err := b.store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpAwaitingApproval,
		func(o *dobot.Operation) { o.MessageTS = card.ID })
	if err != nil || !ok {
		if err == nil {
			err = errors.New("it was no longer waiting for its card")
		}
		b.abandonCard(ctx, op, card)
		return fmt.Errorf("record the approval card of request %d: %w", op.ID, err)
	}
	op = carded
	if err := b.record(ctx, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "approval.request", Target: op.App, Decision: "pending", Outcome: "requested",
		Details: fmt.Sprintf("request=%d action=%s reason=%q", op.ID, op.Action, op.Reason)}); err != nil {
		return err
	}
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf(chat.IconExpired+" Request #%d to %s needs approval by an approver or admin other than you. It expires at %s. `/do cancel %d` withdraws it.",
		op.ID, plan.Summary, op.ExpiresAt.UTC().Format(timeFormat), op.ID)))
	return nil
}

// abandonCard ends a request whose card was posted but could not be
// recorded, and takes the buttons off that card: nobody could decide it.
func (b *Bot) abandonCard(ctx context.Context, op dobot.Operation, card chat.Ref) {
	_, _, err := b.store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpCanceled, func(o *dobot.Operation) {
		o.MessageTS, o.Error = card.ID, "could not record the approval card"
		deploy.ScrubSecrets(o) // it will never be sent
	})
	if err != nil {
		b.log.Error("cancel a request whose card was not recorded", "request", op.ID, "err", err)
	}
	m := Message{
		Title: fmt.Sprintf(chat.IconWarning+" Request #%d: %s %s was not put up for decision", op.ID, op.Action, op.App),
		Text: fmt.Sprintf("Request #%d (%s %s) could not be recorded as waiting for approval, so it cannot be decided. Nothing was done; %s, please ask again.",
			op.ID, op.Action, op.App, chat.Mention(op.Requester)),
	}
	if err := b.chat.Update(ctx, card, m); err != nil {
		b.log.Warn("take the buttons off an unrecorded card", "request", op.ID, "err", err)
	}
}

// approvalCard shows who asks for what and why. While the request waits it
// carries the Approve and Deny buttons; once decided it shows the decision.
func approvalCard(op dobot.Operation, fields []Field, buttons bool) Message {
	reason := Escape(op.Reason)
	if reason == "" {
		reason = "none given"
	}
	// Who and why go first: a section shows at most ten fields.
	all := append([]Field{{Label: "Requested by", Value: chat.Mention(op.Requester)}, {Label: "Reason", Value: reason}}, fields...)
	m := Message{
		Text:   fmt.Sprintf("Request #%d: %s asks to %s %s. An approver must decide.", op.ID, chat.Mention(op.Requester), op.Action, op.App),
		Title:  fmt.Sprintf(chat.IconAsk+" Request #%d: %s %s", op.ID, op.Action, op.App),
		Fields: all,
		Footer: fmt.Sprintf("Request #%d · an approver or admin other than %s may decide · expires %s", op.ID, chat.Mention(op.Requester), op.ExpiresAt.UTC().Format(timeFormat)),
	}
	if buttons {
		id := strconv.FormatInt(op.ID, 10)
		m.Buttons = []Button{
			{ActionID: clickApprove, Label: "Approve", Value: id, Style: "primary"},
			{ActionID: clickDeny, Label: "Deny", Value: id, Style: "danger"},
		}
		return m
	}
	switch op.State {
	case dobot.OpExpired:
		m.Title = fmt.Sprintf(chat.IconExpired+" Request #%d expired: %s %s", op.ID, op.Action, op.App)
		m.Text = fmt.Sprintf("Request #%d to %s %s expired without a decision.", op.ID, op.Action, op.App)
		m.Footer = fmt.Sprintf("Request #%d · expired %s without a decision", op.ID, op.ExpiresAt.UTC().Format(timeFormat))
	case dobot.OpCanceled:
		verb := "Denied"
		if op.Decider == "" || op.Decider == op.Requester {
			verb = "Withdrawn"
		}
		m.Title = fmt.Sprintf(chat.IconDenied+" Request #%d %s: %s %s", op.ID, strings.ToLower(verb), op.Action, op.App)
		m.Text = fmt.Sprintf("Request #%d to %s %s: %s", op.ID, op.Action, op.App, deploy.DecisionLine(op))
		m.Footer = deploy.DecisionLine(op)
	default:
		m.Title = fmt.Sprintf(chat.IconOK+" Request #%d approved: %s %s", op.ID, op.Action, op.App)
		m.Text = fmt.Sprintf("Request #%d to %s %s: %s", op.ID, op.Action, op.App, deploy.DecisionLine(op))
		m.Footer = deploy.DecisionLine(op)
	}
	return m
}

// decision is one person's answer to a request, from a button or a command.
type decision struct {
	requestID int64
	approve   bool
	reason    string
	who       Request
	messageTS string // the card clicked, when it came from a button
}

// clickedRequest is the request an Approve or Deny button names, and the
// card it sits on: a button only decides the request of its own card.
func clickedRequest(c Click) (any, error) {
	id, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil || id <= 0 {
		return nil, userErrorf("That button does not name a request. Nothing was changed.")
	}
	return requestIDArgs{id: id, card: c.MessageTS}, nil
}

// decide applies one decision through the approval state machine and
// reports it: the card, the thread, and the executor when approved.
func (b *Bot) decide(ctx context.Context, d decision) error {
	decided, stored, err := b.eng.approvals.Decide(ctx, ops.Decision{RequestID: d.requestID, Approve: d.approve, Reason: d.reason,
		Decider: d.who.UserID, DeciderName: d.who.UserName, Channel: d.who.ChannelID, CommandText: commandText(d.who), Card: d.messageTS})
	var refused *ops.Refusal
	if errors.As(err, &refused) {
		if refused.Expired {
			b.expire(ctx, refused.Op)
		}
		b.audit(ctx, b.log, refused.Entry)
		return userErrorf("%s", Markup(refused.Text)) // the bot's own text: ids, times, mentions
	}
	if err != nil {
		return err
	}
	b.mirror(stored)

	op := decided
	rep := b.reporterFor(decided)
	b.showDecision(ctx, decided, rep)
	if d.approve {
		rep.Reply(ctx, infoMessage(fmt.Sprintf(chat.IconOK+" %s approved request #%d. Starting: %s %s for %s.", chat.Mention(d.who.UserID), op.ID, op.Action, op.App, chat.Mention(op.Requester))))
		b.runExecutor(d.who.Ref, b.table.actions[decided.Action], decided, rep)
	} else {
		text := fmt.Sprintf(chat.IconDenied+" %s denied request #%d (%s %s) for %s.", chat.Mention(d.who.UserID), op.ID, op.Action, op.App, chat.Mention(op.Requester))
		if d.reason != "" {
			text += " Reason: " + Escape(d.reason)
		}
		rep.Final(ctx, infoMessage(text))
	}
	if d.messageTS == "" {
		done := "denied"
		if d.approve {
			done = "approved"
		}
		b.tell(ctx, d.who, infoMessage(fmt.Sprintf("You %s request #%d (%s %s).", done, op.ID, op.Action, op.App)))
	}
	return nil
}

func roleText(r dobot.Role) string {
	if r == dobot.RoleNone {
		return "you have no role"
	}
	return "you are " + withArticle(r.String())
}

// stateText describes a request that is no longer waiting, as message
// markup: mentions built from ids, and the deny reason escaped.
func stateText(op dobot.Operation) string {
	switch op.State {
	case dobot.OpExpired:
		return "it expired at " + op.ExpiresAt.UTC().Format(timeFormat)
	case dobot.OpCanceled:
		return strings.ToLower(deploy.DecisionLine(op)[:1]) + deploy.DecisionLine(op)[1:]
	case dobot.OpAwaitingApproval:
		return "it is still waiting"
	}
	if op.Decider != "" {
		return fmt.Sprintf("it was approved by %s at %s and is %s", chat.Mention(op.Decider), op.DecidedAt.UTC().Format(timeFormat), op.State)
	}
	return "it is " + string(op.State)
}

// expire ends a request that waited too long, once.
func (b *Bot) expire(ctx context.Context, op dobot.Operation) {
	expired, ok, stored, err := b.eng.approvals.Expire(ctx, op)
	if err != nil || !ok {
		if err != nil {
			b.log.Error("expire request", "request", op.ID, "err", err)
		}
		return
	}
	b.mirror(stored)
	rep := b.reporterFor(expired)
	b.showDecision(ctx, expired, rep)
	rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconExpired+" Request #%d (%s %s) expired without a decision, so nothing was done. %s, ask again if it is still needed.", op.ID, op.Action, op.App, chat.Mention(op.Requester))))
}

// showDecision updates a decided request's card: the action's own head
// once approved, the decision without buttons otherwise. Only when the
// update went through is the card marked shown; until then a restart
// updates it again (see showPendingCards).
func (b *Bot) showDecision(ctx context.Context, op dobot.Operation, rep *progress.Reporter) {
	m := approvalCard(op, nil, false)
	if exec := b.table.actions[op.Action]; exec != nil && op.Decider != "" && op.State != dobot.OpCanceled && op.State != dobot.OpExpired {
		m = exec.head(op)
	}
	if !rep.Posted() {
		// Answered through the response_url: there is no card to update.
		if err := b.store.CardShown(ctx, op.ID); err != nil {
			b.log.Warn("record card shown", "request", op.ID, "err", err)
		}
		return
	}
	if err := rep.Replace(ctx, m); err != nil {
		b.log.Warn("update decided card", "request", op.ID, "err", err)
		return
	}
	if err := b.store.CardShown(ctx, op.ID); err != nil {
		b.log.Warn("record card shown", "request", op.ID, "err", err)
	}
}

// showPendingCards updates the cards of requests decided just before the
// bot stopped, so none keeps its buttons after its decision.
func (b *Bot) showPendingCards(ctx context.Context) error {
	ops, err := b.store.PendingCards(ctx)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if op.MessageTS == "" {
			_ = b.store.CardShown(ctx, op.ID) // no card to update
			continue
		}
		if op.Decider != "" && op.State != dobot.OpCanceled && op.State != dobot.OpExpired && op.State != dobot.OpRunning {
			// Approved and already run to its end: the executor's own
			// updates replaced the card.
			_ = b.store.CardShown(ctx, op.ID)
			continue
		}
		b.log.Info("updating the card of a request decided before the restart", "request", op.ID, "state", op.State)
		b.showDecision(ctx, op, b.reporterFor(op))
	}
	return nil
}

// requestIDArgs name a request, with an optional reason.
type requestIDArgs struct {
	id     int64
	reason string
	card   string // the card whose button was pressed; "" when typed
}

func (a requestIDArgs) Target() string { return fmt.Sprintf("request #%d", a.id) }

func parseRequestID(name string, withReason bool) func([]string, Config) (any, error) {
	return func(words []string, _ Config) (any, error) {
		if len(words) == 0 || (!withReason && len(words) > 1) {
			return nil, userErrorf("%s takes a request id, like `/do %s 12` (the id is on the request's card)", name, name)
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(words[0], "#"), 10, 64)
		if err != nil || id <= 0 {
			return nil, userErrorf("%q is not a request id; use the number on the request's card, like `/do %s 12`", words[0], name)
		}
		return requestIDArgs{id: id, reason: strings.Join(words[1:], " ")}, nil
	}
}

var approveCommand = &Command{
	Name:        "approve",
	Usage:       "approve ID",
	Description: "Approve someone else's request, as the card's Approve button does.",
	Examples:    []string{"approve 12"},
	MinRole:     dobot.RoleApprover,
	RefusedAs:   "approval.decision",
	Mutating:    true,
	Parse:       parseRequestID("approve", false),
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[requestIDArgs](inv)
		if err != nil {
			return err
		}
		return b.decide(ctx, decision{requestID: args.id, approve: true, who: inv.Req, messageTS: args.card})
	},
}

var denyCommand = &Command{
	Name:        "deny",
	Usage:       "deny ID [REASON]",
	Description: "Deny someone else's request, as the card's Deny button does.",
	Examples:    []string{"deny 12 not during the freeze"},
	MinRole:     dobot.RoleApprover,
	RefusedAs:   "approval.decision",
	Mutating:    true,
	Parse:       parseRequestID("deny", true),
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[requestIDArgs](inv)
		if err != nil {
			return err
		}
		return b.decide(ctx, decision{requestID: args.id, approve: false, reason: args.reason, who: inv.Req, messageTS: args.card})
	},
}

// commandText is how a decision was typed, for the audit.
func commandText(r Request) string {
	if r.Text == "" {
		return "(button)"
	}
	return secrets.StoredCommand(r.Text)
}

// requesterStillAllowed checks, at decision time, that the requester still
// has the role the action's policy asks for: a role revoked while the
// request waited must not be exercised through someone else's approval. It
// returns why not, as message markup, or "" when they may; err is a failure
// to find out, which is no refusal.
func (b *Bot) requesterStillAllowed(ctx context.Context, op dobot.Operation) (why string, err error) {
	p, err := b.policyFor(ctx, op.Action, op.App)
	if err != nil {
		return "", err
	}
	role, err := b.store.Role(ctx, op.Requester)
	if err != nil {
		return "", fmt.Errorf("load the role of %s: %w", op.Requester, err)
	}
	if role < p.Role {
		return fmt.Sprintf("%s, who asked for request #%d, no longer has the %s role it needs, so it cannot be approved. Nothing was changed", chat.Mention(op.Requester), op.ID, p.Role), nil
	}
	return "", nil
}
