package commands

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/ops"
	"dobot/requests"
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
// name and it still waits for a decision: withdrawing it only takes back
// what they asked for, so it needs no role.
func ownsWaitingRequest(ctx context.Context, b *Bot, userID string, args any) bool {
	a, ok := args.(requestIDArgs)
	if !ok {
		return false
	}
	op, err := b.store.Operation(ctx, a.id)
	return err == nil && op.Requester == userID &&
		(op.State == dobot.OpAwaitingApproval || op.State == dobot.OpRequested)
}

func runCancel(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[requestIDArgs](inv)
	if err != nil {
		return err
	}
	op, err := b.eng.approvals.Carded(ctx, args.id)
	if errors.Is(err, dobot.ErrNotFound) {
		return userErrorf("There is no request or operation #%d. `/do ops` lists what is waiting or running.", args.id)
	}
	if err != nil {
		return fmt.Errorf("load operation %d: %w", args.id, err)
	}
	if op.Requester != inv.Req.UserID && inv.Role < dobot.RoleAdmin {
		return userErrorf("Only %s, who asked for %s, or an admin may cancel it.", Markup(chat.Mention(op.Requester)), opRef(op))
	}
	if op.State != dobot.OpAwaitingApproval && inv.Role < dobot.RoleViewer {
		// Let in only to withdraw (see ownsWaitingRequest), and the
		// request was decided meanwhile.
		return userErrorf("%s is no longer waiting: %s.", opRefTitle(op), Markup(requests.StateText(op)))
	}
	if op.Action == ActionDomainFollow {
		return b.stopDomainFollow(ctx, inv, op)
	}
	switch ops.CanCancel(op, deploys(op)) {
	case ops.CancelWithdraw:
		return b.withdraw(ctx, inv, op)
	case ops.CancelCannot:
		if op.Action == ActionLaunch {
			return userErrorf("%s is launching the droplet %s, which cannot be stopped part-way. Once it is up, `/do teardown %s` removes it.", opRefTitle(op), op.App, op.App)
		}
		return userErrorf("%s (%s) is already under way and cannot be stopped part-way.", opRefTitle(op), opWhat(op))
	case ops.CancelNotYet:
		if op.Action == ActionLaunch {
			return userErrorf("%s is still creating %s; try again in a few seconds, once its deployment has started.", opRefTitle(op), op.App)
		}
		return userErrorf("%s (%s) has not started its deployment yet; try again in a few seconds.", opRefTitle(op), opWhat(op))
	case ops.CancelDeployment:
		if err := b.cancelDeployment(ctx, op.ResourceID, op.DeploymentID); err != nil {
			return err
		}
		b.reporterFor(op).Reply(ctx, infoMessage(fmt.Sprintf(chat.IconCanceled+" %s asked DigitalOcean to cancel deployment `%s`.", chat.Mention(inv.Req.UserID), op.DeploymentID)))
		b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("Asked DigitalOcean to cancel the deployment of %s (%s); its thread shows the result.", op.App, opRef(op))))
		return nil
	}
	return userErrorf("%s has already ended (%s); there is nothing to cancel.", opRefTitle(op), op.State)
}

// withdraw cancels a request waiting for a decision and shows it.
func (b *Bot) withdraw(ctx context.Context, inv *Invocation, op dobot.Operation) error {
	canceled, ok, stored, err := b.eng.ops.Withdraw(ctx, op, ops.Withdrawal{By: inv.Req.UserID, ByName: inv.Req.UserName,
		Channel: inv.Req.ChannelID, CommandText: commandText(inv.Req)})
	if err != nil {
		return fmt.Errorf("cancel request %d: %w", op.ID, err)
	}
	if !ok {
		return userErrorf("Request #%d is no longer waiting: %s.", op.ID, Markup(requests.StateText(canceled)))
	}
	b.mirror(stored)
	rep := b.reporterFor(canceled)
	b.eng.desk.Show(ctx, canceled, rep)
	rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconDenied+" %s canceled request #%d (%s). Nothing was done.", chat.Mention(inv.Req.UserID), op.ID, Escape(opWhat(op)))))
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("Canceled request #%d.", op.ID)))
	return nil
}

// deploys reports whether op's work is an App Platform deployment, which
// DigitalOcean can cancel.
func deploys(op dobot.Operation) bool {
	switch op.Action {
	case ActionRedeploy, ActionRollback, ActionScale, ActionRestart, ActionEnv, ActionDomains:
		return true
	case ActionLaunch:
		return !isDropletLaunch(op)
	}
	return false
}

// isDropletLaunch reports whether op launches a droplet, which has no
// deployment to cancel.
func isDropletLaunch(op dobot.Operation) bool {
	args, err := decodeArgs[LaunchArgs](op)
	return err == nil && args.Droplet
}

// cancelDeployment asks App Platform to cancel a deployment. godo has no
// method for it.
func (b *Bot) cancelDeployment(ctx context.Context, appID, deploymentID string) error {
	var out struct {
		Deployment *godo.Deployment `json:"deployment"`
	}
	if err := b.exec.Raw(ctx, http.MethodPost, fmt.Sprintf("v2/apps/%s/deployments/%s/cancel", appID, deploymentID), nil, &out); err != nil {
		return fmt.Errorf("cancel deployment %s: %w", deploymentID, err)
	}
	return nil
}
