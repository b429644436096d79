package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/ops"
	"dobot/reply"
	"dobot/requests"
	"dobot/secrets"
)

// Button action ids on approval cards: package requests'.
const (
	clickApprove = requests.ClickApprove
	clickDeny    = requests.ClickDeny
)

const timeFormat = ops.TimeFormat

// clickedRequest is the request an Approve or Deny button names, and the
// card it sits on: a button only decides the request of its own card.
func clickedRequest(c Click) (any, error) {
	id, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil || id <= 0 {
		return nil, reply.Errorf("That button does not name a request. Nothing was changed.")
	}
	return requestIDArgs{id: id, card: c.MessageTS}, nil
}

func roleText(r dobot.Role) string { return reply.RoleText(r) }

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
			return nil, reply.Errorf("%s takes a request id, like `/do %s 12` (the id is on the request's card)", name, name)
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(words[0], "#"), 10, 64)
		if err != nil || id <= 0 {
			return nil, reply.Errorf("%q is not a request id; use the number on the request's card, like `/do %s 12`", words[0], name)
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
		return b.decide(ctx, inv.Req, requests.Decision{RequestID: args.id, Approve: true, Card: args.card})
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
		return b.decide(ctx, inv.Req, requests.Decision{RequestID: args.id, Reason: args.reason, Card: args.card})
	},
}

// decide applies d, made by who, through the desk, and answers a typed
// decision privately (a click shows on its card).
func (b *Bot) decide(ctx context.Context, who Request, d requests.Decision) error {
	d.Who = requests.Who{Ref: who.Ref, UserID: who.UserID, UserName: who.UserName, ChannelID: who.ChannelID, CommandText: commandText(who)}
	// A lock or freeze holds an approval back unless it breaks the glass.
	var br *breach
	if d.Approve {
		var err error
		if br, err = b.holdsAtDecision(ctx, d.RequestID); err != nil {
			return err
		}
	}
	op, err := b.eng.desk.Apply(ctx, d)
	if err != nil {
		return err
	}
	if d.Approve && b.svc.ops.binder.VoidIfChanged(ctx, op, d.Who) {
		return nil
	}
	if br != nil {
		if err := b.recordBreach(ctx, op, br, "override"); err != nil {
			b.exec.Finish(ctx, &op, dobot.OpCanceled, "could not audit the break-glass")
			return err
		}
		defer b.announceBreach(ctx, op, br)
	}
	b.eng.desk.Announce(ctx, d, op)
	if d.Card != "" {
		return nil
	}
	done := "denied"
	if d.Approve {
		done = "approved"
	}
	b.tell(ctx, who, infoMessage(fmt.Sprintf("You %s request #%d (%s).", done, op.ID, reply.Escape(opWhat(op)))))
	return nil
}

// requestApproval puts op up for decision and tells the requester
// privately that it waits for a second person.
func (b *Bot) requestApproval(ctx context.Context, req Request, op dobot.Operation, plan *Plan) error {
	op, err := b.eng.desk.Post(ctx, op, plan.Fields, plan.Summary)
	if err != nil {
		return err
	}
	b.tell(ctx, req, infoMessage(fmt.Sprintf(chat.IconExpired+" Request #%d to %s needs approval by an approver or admin other than you. It expires at %s. `/do cancel %d` withdraws it.",
		op.ID, plan.Summary, op.ExpiresAt.UTC().Format(timeFormat), op.ID)))
	return nil
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
