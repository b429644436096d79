package requests

import (
	"fmt"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops"
	"dobot/reply"
)

// Card shows who asks for what and why. While the request waits it
// carries the Approve and Deny buttons; once decided it shows the decision.
func Card(op dobot.Operation, fields []chat.Field, buttons bool) chat.Message {
	reason := reply.Escape(op.Reason)
	if reason == "" {
		reason = "none given"
	}
	// Who and why go first: a section shows at most ten fields.
	all := append([]chat.Field{{Label: "Requested by", Value: chat.Mention(op.Requester)}, {Label: "Reason", Value: reason}}, fields...)
	m := chat.Message{
		Text:   fmt.Sprintf("Request #%d: %s asks to %s. An approver must decide.", op.ID, chat.Mention(op.Requester), reply.Escape(deploy.What(op))),
		Title:  fmt.Sprintf(chat.IconAsk+" Request #%d: %s", op.ID, reply.Escape(deploy.What(op))),
		Fields: all,
		Footer: fmt.Sprintf("Request #%d · an approver or admin other than %s may decide · expires %s", op.ID, chat.Mention(op.Requester), op.ExpiresAt.UTC().Format(ops.TimeFormat)),
	}
	if buttons {
		id := strconv.FormatInt(op.ID, 10)
		m.Buttons = []chat.Button{
			{ActionID: ClickApprove, Label: "Approve", Value: id, Style: "primary"},
			{ActionID: ClickDeny, Label: "Deny", Value: id, Style: "danger"},
		}
		return m
	}
	switch op.State {
	case dobot.OpExpired:
		m.Title = fmt.Sprintf(chat.IconExpired+" Request #%d expired: %s", op.ID, reply.Escape(deploy.What(op)))
		m.Text = fmt.Sprintf("Request #%d to %s expired without a decision.", op.ID, reply.Escape(deploy.What(op)))
		m.Footer = fmt.Sprintf("Request #%d · expired %s without a decision", op.ID, op.ExpiresAt.UTC().Format(ops.TimeFormat))
	case dobot.OpCanceled:
		verb := "Denied"
		if op.Decider == "" || op.Decider == op.Requester {
			verb = "Withdrawn"
		}
		m.Title = fmt.Sprintf(chat.IconDenied+" Request #%d %s: %s", op.ID, strings.ToLower(verb), reply.Escape(deploy.What(op)))
		m.Text = fmt.Sprintf("Request #%d to %s: %s", op.ID, reply.Escape(deploy.What(op)), deploy.DecisionLine(op))
		m.Footer = deploy.DecisionLine(op)
	default:
		m.Title = fmt.Sprintf(chat.IconOK+" Request #%d approved: %s", op.ID, reply.Escape(deploy.What(op)))
		m.Text = fmt.Sprintf("Request #%d to %s: %s", op.ID, reply.Escape(deploy.What(op)), deploy.DecisionLine(op))
		m.Footer = deploy.DecisionLine(op)
	}
	return m
}

// StateText describes a request that is no longer waiting, as message
// markup: mentions built from ids, and the deny reason escaped.
func StateText(op dobot.Operation) string {
	switch op.State {
	case dobot.OpExpired:
		return "it expired at " + op.ExpiresAt.UTC().Format(ops.TimeFormat)
	case dobot.OpCanceled:
		return strings.ToLower(deploy.DecisionLine(op)[:1]) + deploy.DecisionLine(op)[1:]
	case dobot.OpAwaitingApproval:
		return "it is still waiting"
	}
	if op.Decider != "" {
		return fmt.Sprintf("it was approved by %s at %s and is %s", chat.Mention(op.Decider), op.DecidedAt.UTC().Format(ops.TimeFormat), op.State)
	}
	return "it is " + string(op.State)
}
