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
)

// Requests and operations are rows of one table, so their ids are one
// series: a request that is approved keeps its id as it runs. Every message
// says which kind an id is, by opRef.

// opPhase is where an unfinished operation is, in words. For a deployment
// under way it asks DigitalOcean for the deployment's phase.
func (b *Bot) opPhase(ctx context.Context, op dobot.Operation) string {
	switch op.State {
	case dobot.OpRequested:
		return "being put up for approval"
	case dobot.OpAwaitingApproval:
		return "waiting for approval until " + op.ExpiresAt.UTC().Format(timeFormat)
	case dobot.OpRunning:
	default:
		return strings.ReplaceAll(string(op.State), "_", " ")
	}
	if op.Action == ActionLaunch && op.ResourceID == "" {
		if isDropletLaunch(op) {
			return deploy.PhaseName("DROPLET_CREATE")
		}
		return deploy.PhaseName("creating")
	}
	if !deploys(op) || op.ResourceID == "" {
		return "running"
	}
	app, _, err := b.cloud.Apps.Get(ctx, op.ResourceID)
	if err != nil {
		b.log.Warn("read the phase of a running operation", "op", op.ID, "err", err)
		return "running"
	}
	st, err := b.exec.DeploymentState(ctx, app, op.DeploymentID)
	if err != nil || op.DeploymentID == "" && op.Action != ActionLaunch {
		return "starting its deployment"
	}
	return deploy.PhaseLine(st)
}

var opsCommand = &Command{
	Name:        "ops",
	Usage:       "ops",
	Description: "List the requests waiting for approval, the operations running and the locks and freezes in force, with buttons for what you may do (approve, deny, cancel).",
	Examples:    []string{"ops"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("ops"),
	Run:         runOps,
}

// Buttons of the ops list. Their action ids carry the id after opsIDSep,
// because Slack wants the action ids of one block to differ; the value
// carries it too.
const (
	clickOpsApprove = "ops_approve"
	clickOpsDeny    = "ops_deny"
	clickOpsCancel  = "ops_cancel"
	opsIDSep        = "#"
)

func runOps(ctx context.Context, b *Bot, inv *Invocation) error {
	unfinished, err := b.store.UnfinishedOperations(ctx)
	if err != nil {
		return fmt.Errorf("list unfinished operations: %w", err)
	}
	holds, err := b.Holds(ctx)
	if err != nil {
		return fmt.Errorf("read locks and freezes: %w", err)
	}
	if len(unfinished) == 0 && len(holds.Lines()) == 0 {
		b.tell(ctx, inv.Req, infoMessage("Nothing is waiting for approval, nothing is running, and nothing is locked or frozen."))
		return nil
	}
	var waiting, running []string
	var buttons []Button
	for _, op := range unfinished {
		line := fmt.Sprintf("• *%s*: %s, asked by %s — %s", opRef(op), Escape(opWhat(op)), chat.Mention(op.Requester), b.opPhase(ctx, op))
		if op.Reason != "" {
			line += " — “" + Escape(op.Reason) + "”"
		}
		if op.State == dobot.OpRunning {
			running = append(running, line)
		} else {
			waiting = append(waiting, line)
		}
		buttons = append(buttons, opsButtons(op, inv.Req.UserID, inv.Role)...)
	}
	var sb strings.Builder
	if len(waiting) > 0 {
		fmt.Fprintf(&sb, "*Waiting for approval (%d)*\n%s\n", len(waiting), strings.Join(waiting, "\n"))
	}
	if len(running) > 0 {
		fmt.Fprintf(&sb, "*Running (%d)*\n%s\n", len(running), strings.Join(running, "\n"))
	}
	if lines := holds.Lines(); len(lines) > 0 {
		fmt.Fprintf(&sb, "*Locks and freezes (%d)*\n%s\n", len(lines), strings.Join(lines, "\n"))
	}
	m := Message{Text: sb.String(), Buttons: buttons}
	if len(buttons) == 0 {
		m.Footer = "You may not approve, deny or cancel any of these."
	}
	b.tell(ctx, inv.Req, m)
	return nil
}

// opsButtons are the buttons for op that viewer, with role, may press:
// Approve and Deny for an approver who did not ask, Cancel for the
// requester or an admin when it can be canceled. Each press runs the
// command, which checks again.
func opsButtons(op dobot.Operation, viewer string, role dobot.Role) []Button {
	id := strconv.FormatInt(op.ID, 10)
	button := func(action, label, style string) Button {
		return Button{ActionID: action + opsIDSep + id, Label: label + " #" + id, Value: id, Style: style}
	}
	var out []Button
	mine := op.Requester == viewer || role >= dobot.RoleAdmin
	switch op.State {
	case dobot.OpAwaitingApproval:
		if role >= dobot.RoleApprover && op.Requester != viewer {
			out = append(out, button(clickOpsApprove, "Approve", "primary"), button(clickOpsDeny, "Deny", "danger"))
		}
		if mine {
			out = append(out, button(clickOpsCancel, "Withdraw", ""))
		}
	case dobot.OpRunning:
		if mine && ops.CanCancel(op, deploys(op)) != ops.CancelCannot {
			out = append(out, button(clickOpsCancel, "Cancel", "danger"))
		}
	}
	return out
}

// opsClicks are the ops list's buttons, each the command it stands for.
func opsClicks() []*clickRoute {
	args := func(c Click) (any, error) {
		id, err := strconv.ParseInt(c.Value, 10, 64)
		if err != nil || id <= 0 {
			return nil, userErrorf("That button does not name a request or operation. Nothing was changed.")
		}
		return requestIDArgs{id: id}, nil
	}
	return []*clickRoute{
		{id: clickOpsApprove, label: "Approve", command: "approve", args: args},
		{id: clickOpsDeny, label: "Deny", command: "deny", args: args},
		{id: clickOpsCancel, label: "Cancel", command: "cancel", args: args},
	}
}

// clickRouteFor finds the button route of an action id, which may carry
// an id after opsIDSep.
func (t Table) clickRouteFor(actionID string) (*clickRoute, bool) {
	if r, ok := t.clicks[actionID]; ok {
		return r, true
	}
	if base, _, ok := strings.Cut(actionID, opsIDSep); ok {
		r, ok := t.clicks[base]
		return r, ok
	}
	return nil, false
}

// launchInFlight is the unfinished launch holding name before the app is
// recorded, if any.
func (b *Bot) launchInFlight(ctx context.Context, name string) (dobot.Operation, bool) {
	if _, err := b.store.App(ctx, name); !errors.Is(err, dobot.ErrNotFound) {
		return dobot.Operation{}, false
	}
	op, err := b.store.ActiveOperation(ctx, name)
	if err != nil || op.Action != ActionLaunch {
		return dobot.Operation{}, false
	}
	return op, true
}

// launchesInFlight are the unfinished launches of apps not recorded yet.
func (b *Bot) launchesInFlight(ctx context.Context) ([]dobot.Operation, error) {
	unfinished, err := b.store.UnfinishedOperations(ctx)
	if err != nil {
		return nil, fmt.Errorf("list unfinished operations: %w", err)
	}
	var out []dobot.Operation
	for _, op := range unfinished {
		if op.Action != ActionLaunch {
			continue
		}
		if _, err := b.store.App(ctx, op.App); errors.Is(err, dobot.ErrNotFound) {
			out = append(out, op)
		}
	}
	return out, nil
}

// inFlightStatus is the status of an app whose launch is waiting for
// approval or still creating it.
func (b *Bot) inFlightStatus(ctx context.Context, op dobot.Operation) Message {
	args, _ := decodeArgs[LaunchArgs](op)
	phase := b.opPhase(ctx, op)
	fields := []Field{{Label: "App", Value: op.App}, {Label: "Phase", Value: phase}, {Label: opKindWord(op), Value: fmt.Sprintf("#%d, asked by %s", op.ID, chat.Mention(op.Requester))}}
	if args.Image != "" {
		fields = append(fields, Field{Label: "Image", Value: Escape(args.Image)})
	}
	if region := args.Region; args.Droplet && args.DropletRegion != "" {
		fields = append(fields, Field{Label: "Region", Value: args.DropletRegion})
	} else if region != "" {
		fields = append(fields, Field{Label: "Region", Value: region})
	}
	verb := "is being launched"
	if op.State != dobot.OpRunning {
		verb = "waits for approval to launch"
	}
	return Message{
		Text:   fmt.Sprintf("%s %s: %s, %s.", op.App, verb, opRef(op), phase),
		Title:  fmt.Sprintf("%s Status of %s", chat.IconWaiting, op.App),
		Fields: fields,
		Footer: fmt.Sprintf("`/do cancel %d` stops it · `/do ops` lists everything waiting or running", op.ID),
	}
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
