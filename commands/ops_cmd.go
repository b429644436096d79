package commands

import (
	"context"
	"strconv"
	"strings"

	"dobot"
	"dobot/reply"
	"dobot/report"
)

var opsCommand = &Command{
	Name:        "ops",
	Usage:       "ops",
	Description: "List the requests waiting for approval, the operations running and the locks and freezes in force, with buttons for what you may do (approve, deny, cancel).",
	Examples:    []string{"ops"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("ops"),
	Run: told(func(ctx context.Context, b *Bot, inv *Invocation) (Message, error) {
		return b.svc.board.Ops(ctx, inv.Req.UserID, inv.Role)
	}),
}

// opsClicks are the ops list's buttons, each the command it stands for.
func opsClicks() []*clickRoute {
	args := func(c Click) (any, error) {
		id, err := strconv.ParseInt(c.Value, 10, 64)
		if err != nil || id <= 0 {
			return nil, reply.Errorf("That button does not name a request or operation. Nothing was changed.")
		}
		return requestIDArgs{id: id}, nil
	}
	return []*clickRoute{
		{id: report.ClickOpsApprove, label: "Approve", command: "approve", args: args},
		{id: report.ClickOpsDeny, label: "Deny", command: "deny", args: args},
		{id: report.ClickOpsCancel, label: "Cancel", command: "cancel", args: args},
	}
}

// clickRouteFor finds the button route of an action id, which may carry
// an id after report.IDSep.
func (t Table) clickRouteFor(actionID string) (*clickRoute, bool) {
	if r, ok := t.clicks[actionID]; ok {
		return r, true
	}
	if base, _, ok := strings.Cut(actionID, report.IDSep); ok {
		r, ok := t.clicks[base]
		return r, ok
	}
	return nil, false
}

// moreClicks are the buttons of the ops list and of history, added to the
// standard ones.
func moreClicks() []*clickRoute {
	return append(opsClicks(), historyClicks()...)
}
