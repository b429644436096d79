package commands

import (
	"context"
	"strconv"
	"strings"

	"dobot"
	"dobot/deploy"
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
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		m, err := b.svc.board.Ops(ctx, inv.Req.UserID, inv.Role)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
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

// The descriptions of operations and the card helpers are package deploy's.
func isRequest(op dobot.Operation) bool        { return deploy.IsRequest(op) }
func opRef(op dobot.Operation) string          { return deploy.Ref(op) }
func opKindWord(op dobot.Operation) string     { return deploy.KindWord(op) }
func opRefTitle(op dobot.Operation) string     { return deploy.RefTitle(op) }
func opWhat(op dobot.Operation) string         { return deploy.What(op) }
func failureMark(st deploy.LaunchState) string { return deploy.FailureMark(st) }
func nonEmpty(fields []Field) []Field          { return deploy.NonEmpty(fields) }
func kindLabel(kind string) string             { return deploy.KindLabel(kind) }
