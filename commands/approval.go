package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"dobot"
	"dobot/ops/pipeline"
	"dobot/reply"
	"dobot/requests"
	"dobot/secrets"
)

// Button action ids on approval cards: package requests'.
const (
	clickApprove = requests.ClickApprove
	clickDeny    = requests.ClickDeny
)

// clickedRequest is the request an Approve or Deny button names, and the
// card it sits on: a button only decides the request of its own card.
func clickedRequest(c Click) (any, error) {
	id, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil || id <= 0 {
		return nil, reply.Errorf("That button does not name a request. Nothing was changed.")
	}
	return requestIDArgs{id: id, card: c.MessageTS}, nil
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
	Run:         decided(true),
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
	Run:         decided(false),
}

// decided is the Run of approve and deny: pipeline.Pipeline.Decide.
func decided(approve bool) func(context.Context, *Bot, *Invocation) error {
	return func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[requestIDArgs](inv)
		if err != nil {
			return err
		}
		d := requests.Decision{RequestID: args.id, Approve: approve, Reason: args.reason, Card: args.card}
		return b.svc.ops.pipe.Decide(ctx, askerOf(inv.Req), d)
	}
}

// askerOf is who asked, for the pipeline.
func askerOf(r Request) pipeline.Asker {
	return pipeline.Asker{Ref: r.Ref, UserID: r.UserID, UserName: r.UserName, ChannelID: r.ChannelID, ResponseURL: r.ResponseURL, CommandText: commandText(r)}
}

// commandText is how a decision was typed, for the audit.
func commandText(r Request) string {
	if r.Text == "" {
		return "(button)"
	}
	return secrets.StoredCommand(r.Text)
}

// requesterStillAllowed is pipeline.Pipeline.RequesterAllowed, bound
// late: the approval state machine is built before the pipeline.
func (b *Bot) requesterStillAllowed(ctx context.Context, op dobot.Operation) (string, error) {
	return b.svc.ops.pipe.RequesterAllowed(ctx, op)
}
