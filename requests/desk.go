// Package requests puts operations that need a second person up for
// decision in the chat: the approval card with its Approve and Deny
// buttons, a decision applied through ops.Approvals and shown on the card
// and in its thread, expiry, and cards whose decision a restart left
// unshown. Who may decide is checked by ops.Approvals and the commands;
// this package only reports.
package requests

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
)

// Button action ids on approval cards. The value is the request id.
const (
	ClickApprove = "approve"
	ClickDeny    = "deny"
)

// Store is what the desk keeps: requests' states and whether their card
// shows their decision.
type Store interface {
	Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error)
	CardShown(ctx context.Context, id int64) error
	PendingCards(ctx context.Context) ([]dobot.Operation, error)
}

// Deps are the desk's collaborators.
type Deps struct {
	Store     Store
	Chat      chat.Chat
	Approvals *ops.Approvals
	Finish    func(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string)
	// Head is the card of an approved request's action, once it runs.
	Head func(op dobot.Operation) (chat.Message, bool)
	// Reporter reports on op's card and in its thread.
	Reporter func(op dobot.Operation) *progress.Reporter
	// Start runs an approved request in the background.
	Start func(ref string, op dobot.Operation, rep *progress.Reporter)
	// Record appends an audit row that must be written; Mirror copies a
	// row the store wrote to the audit channel.
	Record func(ctx context.Context, e dobot.AuditEntry) error
	Mirror func(e dobot.AuditEntry)
	Log    *slog.Logger
	// Shared reports whether replicas share the store: then a running
	// request's card is kept current by the replica running it.
	Shared func() bool
}

// Desk puts requests up for decision and shows the decisions.
type Desk struct{ d Deps }

// New returns a desk.
func New(d Deps) *Desk { return &Desk{d: d} }

// Decision is one person's answer to a request, from a button or a command.
type Decision struct {
	RequestID int64
	Approve   bool
	Reason    string
	Who       Who
	Card      string // the card clicked, when it came from a button
}

// Who is the person deciding and where.
type Who struct {
	Ref, UserID, UserName, ChannelID, CommandText string
}

// Post puts op up for decision: its card with the buttons, then the
// request waiting for a decision with the card recorded, then the audit
// row. summary says what it would do ("tear down web").
func (b *Desk) Post(ctx context.Context, op dobot.Operation, fields []chat.Field, summary string) (dobot.Operation, error) {
	card, err := b.d.Chat.Post(ctx, op.Channel, Card(op, fields, true))
	if err != nil {
		b.d.Finish(ctx, &op, dobot.OpCanceled, "could not post the approval card: "+err.Error())
		if errors.Is(err, chat.ErrCannotPost) {
			return op, reply.Errorf("%s needs approval, and approvers must see the request: invite the bot to this channel (`/invite @dobot`) or ask in a channel it is in. Nothing was changed.", summary)
		}
		return op, fmt.Errorf("post approval card: %w", err)
	}
	// Only now, with its card known, does the request wait for a decision.
	carded, ok, err := b.d.Store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpAwaitingApproval,
		func(o *dobot.Operation) { o.MessageTS = card.ID })
	if err != nil || !ok {
		if err == nil {
			err = errors.New("it was no longer waiting for its card")
		}
		b.abandonCard(ctx, op, card)
		return op, fmt.Errorf("record the approval card of request %d: %w", op.ID, err)
	}
	op = carded
	if err := b.d.Record(ctx, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "approval.request", Target: op.App, Decision: "pending", Outcome: "requested",
		Details: fmt.Sprintf("request=%d action=%s reason=%q", op.ID, op.Action, op.Reason)}); err != nil {
		return op, err
	}
	return op, nil
}

// abandonCard ends a request whose card was posted but could not be
// recorded, and takes the buttons off that card: nobody could decide it.
func (b *Desk) abandonCard(ctx context.Context, op dobot.Operation, card chat.Ref) {
	_, _, err := b.d.Store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpCanceled, func(o *dobot.Operation) {
		o.MessageTS, o.Error = card.ID, "could not record the approval card"
		deploy.ScrubSecrets(o) // it will never be sent
	})
	if err != nil {
		b.d.Log.Error("cancel a request whose card was not recorded", "request", op.ID, "err", err)
	}
	m := chat.Message{
		Title: fmt.Sprintf(chat.IconWarning+" Request #%d: %s was not put up for decision", op.ID, reply.Escape(deploy.What(op))),
		Text: fmt.Sprintf("Request #%d (%s) could not be recorded as waiting for approval, so it cannot be decided. Nothing was done; %s, please ask again.",
			op.ID, reply.Escape(deploy.What(op)), chat.Mention(op.Requester)),
	}
	if err := b.d.Chat.Update(ctx, card, m); err != nil {
		b.d.Log.Warn("take the buttons off an unrecorded card", "request", op.ID, "err", err)
	}
}

// Decide applies one decision through the approval state machine and
// reports it: the card, the thread, and the executor when approved. A
// refusal is a user error, audited.
func (b *Desk) Decide(ctx context.Context, d Decision) (dobot.Operation, error) {
	decided, err := b.Apply(ctx, d)
	if err != nil {
		return decided, err
	}
	b.Announce(ctx, d, decided)
	return decided, nil
}

// Apply applies one decision through the approval state machine, without
// showing it: a refusal is a user error, audited. Announce shows it.
func (b *Desk) Apply(ctx context.Context, d Decision) (dobot.Operation, error) {
	decided, stored, err := b.d.Approvals.Decide(ctx, ops.Decision{RequestID: d.RequestID, Approve: d.Approve, Reason: d.Reason,
		Decider: d.Who.UserID, DeciderName: d.Who.UserName, Channel: d.Who.ChannelID, CommandText: d.Who.CommandText, Card: d.Card})
	var refused *ops.Refusal
	if errors.As(err, &refused) {
		if refused.Expired {
			b.Expire(ctx, refused.Op)
		}
		if err := b.d.Record(ctx, refused.Entry); err != nil {
			b.d.Log.Error("append audit", "action", refused.Entry.Action, "err", err)
		}
		return decided, reply.Errorf("%s", reply.Markup(refused.Text)) // the bot's own text: ids, times, mentions
	}
	if err != nil {
		return decided, err
	}
	b.d.Mirror(stored)
	return decided, nil
}

// Announce shows an applied decision on the card and in its thread, and
// starts an approved request.
func (b *Desk) Announce(ctx context.Context, d Decision, decided dobot.Operation) {
	op := decided
	rep := b.d.Reporter(decided)
	b.Show(ctx, decided, rep)
	if d.Approve {
		rep.Reply(ctx, chat.Message{Text: fmt.Sprintf(chat.IconOK+" %s approved request #%d. Starting: %s for %s.", chat.Mention(d.Who.UserID), op.ID, reply.Escape(deploy.What(op)), chat.Mention(op.Requester))})
		b.d.Start(d.Who.Ref, decided, rep)
	} else {
		text := fmt.Sprintf(chat.IconDenied+" %s denied request #%d (%s) for %s.", chat.Mention(d.Who.UserID), op.ID, reply.Escape(deploy.What(op)), chat.Mention(op.Requester))
		if d.Reason != "" {
			text += " Reason: " + reply.Escape(d.Reason)
		}
		rep.Final(ctx, chat.Message{Text: text})
	}
}

// Expire ends a request that waited too long, once.
func (b *Desk) Expire(ctx context.Context, op dobot.Operation) {
	expired, ok, stored, err := b.d.Approvals.Expire(ctx, op)
	if err != nil || !ok {
		if err != nil {
			b.d.Log.Error("expire request", "request", op.ID, "err", err)
		}
		return
	}
	b.d.Mirror(stored)
	rep := b.d.Reporter(expired)
	b.Show(ctx, expired, rep)
	rep.Final(ctx, message(fmt.Sprintf(chat.IconExpired+" Request #%d (%s) expired without a decision, so nothing was done. %s, ask again if it is still needed.", op.ID, reply.Escape(deploy.What(op)), chat.Mention(op.Requester))))
}

// Show updates a decided request's card: the action's own head
// once approved, the decision without buttons otherwise. Only when the
// update went through is the card marked shown; until then a restart
// updates it again (see ShowPending).
func (b *Desk) Show(ctx context.Context, op dobot.Operation, rep *progress.Reporter) {
	m := Card(op, nil, false)
	if head, ok := b.d.Head(op); ok && op.Decider != "" && op.State != dobot.OpCanceled && op.State != dobot.OpExpired {
		m = head
	}
	if !rep.Posted() {
		// Answered through the response_url: there is no card to update.
		if err := b.d.Store.CardShown(ctx, op.ID); err != nil {
			b.d.Log.Warn("record card shown", "request", op.ID, "err", err)
		}
		return
	}
	if err := rep.Replace(ctx, m); err != nil {
		b.d.Log.Warn("update decided card", "request", op.ID, "err", err)
		return
	}
	if err := b.d.Store.CardShown(ctx, op.ID); err != nil {
		b.d.Log.Warn("record card shown", "request", op.ID, "err", err)
	}
}

// ShowPending updates the cards of requests decided just before the
// bot stopped, so none keeps its buttons after its decision.
func (b *Desk) ShowPending(ctx context.Context) error {
	ops, err := b.d.Store.PendingCards(ctx)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if op.MessageTS == "" {
			_ = b.d.Store.CardShown(ctx, op.ID) // no card to update
			continue
		}
		if op.Decider != "" && op.State != dobot.OpCanceled && op.State != dobot.OpExpired && op.State != dobot.OpRunning {
			// Approved and already run to its end: the executor's own
			// updates replaced the card.
			_ = b.d.Store.CardShown(ctx, op.ID)
			continue
		}
		if op.State == dobot.OpRunning && b.d.Shared != nil && b.d.Shared() {
			continue // the replica running it keeps its card current
		}
		b.d.Log.Info("updating the card of a request decided before the restart", "request", op.ID, "state", op.State)
		b.Show(ctx, op, b.d.Reporter(op))
	}
	return nil
}

func message(text string) chat.Message { return chat.Message{Text: text} }
