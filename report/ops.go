package report

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
	"dobot/reply"
)

// Requests and operations are rows of one table, so their ids are one
// series: a request that is approved keeps its id as it runs. Every message
// says which kind an id is, by deploy.Ref.

// Buttons of the ops list. Their action ids carry the id after IDSep,
// because Slack wants the action ids of one block to differ; the value
// carries it too.
const (
	ClickOpsApprove = "ops_approve"
	ClickOpsDeny    = "ops_deny"
	ClickOpsCancel  = "ops_cancel"
	IDSep           = "#"
)

// opPhase is where an unfinished operation is, in words. For a deployment
// under way it asks DigitalOcean for the deployment's phase.
func (r *Board) opPhase(ctx context.Context, op dobot.Operation) string {
	switch op.State {
	case dobot.OpRequested:
		return "being put up for approval"
	case dobot.OpAwaitingApproval:
		return "waiting for approval until " + op.ExpiresAt.UTC().Format(ops.TimeFormat)
	case dobot.OpRunning:
	default:
		return strings.ReplaceAll(string(op.State), "_", " ")
	}
	if op.Action == deploy.ActionLaunch && op.ResourceID == "" {
		if isDropletLaunch(op) {
			return deploy.PhaseName("DROPLET_CREATE")
		}
		return deploy.PhaseName("creating")
	}
	if !r.d.Deploys(op) || op.ResourceID == "" {
		return "running"
	}
	app, _, err := r.d.Apps.Get(ctx, op.ResourceID)
	if err != nil {
		r.d.Log.Warn("read the phase of a running operation", "op", op.ID, "err", err)
		return "running"
	}
	st, err := r.d.DeploymentState(ctx, app, op.DeploymentID)
	if err != nil || op.DeploymentID == "" && op.Action != deploy.ActionLaunch {
		return "starting its deployment"
	}
	return deploy.PhaseLine(st)
}

// isDropletLaunch reports whether op launches a droplet.
func isDropletLaunch(op dobot.Operation) bool {
	args, err := ops.DecodeArgs[deploy.LaunchArgs](op)
	return err == nil && args.Droplet
}

// Ops lists the requests waiting for approval, the operations running and
// the holds in force, with the buttons viewer, who has role, may press.
func (r *Board) Ops(ctx context.Context, viewer string, role dobot.Role) (chat.Message, error) {
	unfinished, err := r.d.Store.UnfinishedOperations(ctx)
	if err != nil {
		return chat.Message{}, fmt.Errorf("list unfinished operations: %w", err)
	}
	held, err := r.d.Holds.Holds(ctx)
	if err != nil {
		return chat.Message{}, fmt.Errorf("read locks and freezes: %w", err)
	}
	if len(unfinished) == 0 && len(held.Lines()) == 0 {
		return chat.Message{Text: "Nothing is waiting for approval, nothing is running, and nothing is locked or frozen."}, nil
	}
	var waiting, running []string
	var buttons []chat.Button
	for _, op := range unfinished {
		line := fmt.Sprintf("• *%s*: %s, asked by %s — %s", deploy.Ref(op), reply.Escape(deploy.What(op)), chat.Mention(op.Requester), r.opPhase(ctx, op))
		if op.Reason != "" {
			line += " — “" + reply.Escape(op.Reason) + "”"
		}
		if op.State == dobot.OpRunning {
			running = append(running, line)
		} else {
			waiting = append(waiting, line)
		}
		buttons = append(buttons, opsButtons(op, viewer, role, r.d.Deploys(op))...)
	}
	var sb strings.Builder
	if len(waiting) > 0 {
		fmt.Fprintf(&sb, "*Waiting for approval (%d)*\n%s\n", len(waiting), strings.Join(waiting, "\n"))
	}
	if len(running) > 0 {
		fmt.Fprintf(&sb, "*Running (%d)*\n%s\n", len(running), strings.Join(running, "\n"))
	}
	if lines := held.Lines(); len(lines) > 0 {
		fmt.Fprintf(&sb, "*Locks and freezes (%d)*\n%s\n", len(lines), strings.Join(lines, "\n"))
	}
	m := chat.Message{Text: sb.String(), Buttons: buttons}
	if len(buttons) == 0 {
		m.Footer = "You may not approve, deny or cancel any of these."
	}
	return m, nil
}

// opsButtons are the buttons for op that viewer, with role, may press:
// Approve and Deny for an approver who did not ask, Cancel for the
// requester or an admin when it can be canceled (deploys: op's work is a
// deployment). Each press runs the command, which checks again.
func opsButtons(op dobot.Operation, viewer string, role dobot.Role, deploys bool) []chat.Button {
	id := strconv.FormatInt(op.ID, 10)
	button := func(action, label, style string) chat.Button {
		return chat.Button{ActionID: action + IDSep + id, Label: label + " #" + id, Value: id, Style: style}
	}
	var out []chat.Button
	mine := op.Requester == viewer || role >= dobot.RoleAdmin
	switch op.State {
	case dobot.OpAwaitingApproval:
		if role >= dobot.RoleApprover && op.Requester != viewer {
			out = append(out, button(ClickOpsApprove, "Approve", "primary"), button(ClickOpsDeny, "Deny", "danger"))
		}
		if mine {
			out = append(out, button(ClickOpsCancel, "Withdraw", ""))
		}
	case dobot.OpRunning:
		if mine && ops.CanCancel(op, deploys) != ops.CancelCannot {
			out = append(out, button(ClickOpsCancel, "Cancel", "danger"))
		}
	}
	return out
}

// launchInFlight is the unfinished launch holding name before the app is
// recorded, if any.
func (r *Board) launchInFlight(ctx context.Context, name string) (dobot.Operation, bool) {
	if _, err := r.d.Store.App(ctx, name); !errors.Is(err, dobot.ErrNotFound) {
		return dobot.Operation{}, false
	}
	op, err := r.d.Store.ActiveOperation(ctx, name)
	if err != nil || op.Action != deploy.ActionLaunch {
		return dobot.Operation{}, false
	}
	return op, true
}

// launchesInFlight are the unfinished launches of apps not recorded yet.
func (r *Board) launchesInFlight(ctx context.Context) ([]dobot.Operation, error) {
	unfinished, err := r.d.Store.UnfinishedOperations(ctx)
	if err != nil {
		return nil, fmt.Errorf("list unfinished operations: %w", err)
	}
	var out []dobot.Operation
	for _, op := range unfinished {
		if op.Action != deploy.ActionLaunch {
			continue
		}
		if _, err := r.d.Store.App(ctx, op.App); errors.Is(err, dobot.ErrNotFound) {
			out = append(out, op)
		}
	}
	return out, nil
}

// inFlightStatus is the status of an app whose launch is waiting for
// approval or still creating it.
func (r *Board) inFlightStatus(ctx context.Context, op dobot.Operation) chat.Message {
	args, _ := ops.DecodeArgs[deploy.LaunchArgs](op)
	phase := r.opPhase(ctx, op)
	fields := []chat.Field{{Label: "App", Value: op.App}, {Label: "Phase", Value: phase}, {Label: deploy.KindWord(op), Value: fmt.Sprintf("#%d, asked by %s", op.ID, chat.Mention(op.Requester))}}
	if args.Image != "" {
		fields = append(fields, chat.Field{Label: "Image", Value: reply.Escape(args.Image)})
	}
	if region := args.Region; args.Droplet && args.DropletRegion != "" {
		fields = append(fields, chat.Field{Label: "Region", Value: args.DropletRegion})
	} else if region != "" {
		fields = append(fields, chat.Field{Label: "Region", Value: region})
	}
	verb := "is being launched"
	if op.State != dobot.OpRunning {
		verb = "waits for approval to launch"
	}
	return chat.Message{
		Text:   fmt.Sprintf("%s %s: %s, %s.", op.App, verb, deploy.Ref(op), phase),
		Title:  fmt.Sprintf("%s Status of %s", chat.IconWaiting, op.App),
		Fields: fields,
		Footer: fmt.Sprintf("`/do cancel %d` stops it · `/do ops` lists everything waiting or running", op.ID),
	}
}
