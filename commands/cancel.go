package commands

import (
	"context"

	"dobot"
	"dobot/ops/cancel"
)

var cancelCommand = &Command{
	Name:        "cancel",
	Usage:       "cancel ID",
	Description: "Withdraw a request waiting for approval, or cancel a launch whose deployment is running. The requester or an admin may; a requester may always withdraw their own waiting request, even after losing their role.",
	Examples:    []string{"cancel 12"},
	MinRole:     dobot.RoleViewer,
	Own:         ownsWaitingRequest,
	Mutating:    true,
	Parse:       parseRequestID("cancel", false),
	Run:         runCancel,
}

// ownsWaitingRequest reports whether userID asked for the request that args
// name and it still waits for a decision (cancel.OwnsWaiting).
func ownsWaitingRequest(ctx context.Context, b *Bot, userID string, args any) bool {
	a, ok := args.(requestIDArgs)
	if !ok {
		return false
	}
	op, err := b.store.Operation(ctx, a.id)
	return err == nil && cancel.OwnsWaiting(op, userID)
}

// runCancel withdraws or cancels, or stops a domain's follow.
var runCancel = replyWith(func(ctx context.Context, b *Bot, inv *Invocation, a requestIDArgs) (Message, error) {
	who := cancel.Who{UserID: inv.Req.UserID, UserName: inv.Req.UserName, Channel: inv.Req.ChannelID, CommandText: commandText(inv.Req), Role: inv.Role}
	op, err := b.svc.ops.cancel.Load(ctx, who, a.id)
	if err != nil {
		return Message{}, err
	}
	if op.Action == ActionDomainFollow {
		return b.svc.follow.Stop(ctx, inv.Req.UserID, op)
	}
	return b.svc.ops.cancel.Cancel(ctx, who, op)
})
