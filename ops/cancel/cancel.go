// Package cancel is /do cancel: it withdraws a request waiting for a
// decision, once, and asks DigitalOcean to cancel a deployment under way.
// Who may is the requester or an admin; what can be canceled is
// ops.CanCancel's.
package cancel

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
	"dobot/requests"
)

// Deps are a Canceler's collaborators.
type Deps struct {
	// Carded loads a request, waiting while its card is being posted
	// (ops.Approvals'); Withdraw cancels a waiting one (ops.Engine's).
	Carded   func(ctx context.Context, id int64) (dobot.Operation, error)
	Withdraw func(ctx context.Context, op dobot.Operation, w ops.Withdrawal) (dobot.Operation, bool, dobot.AuditEntry, error)
	// Show takes a withdrawn request's buttons off its card (the desk's).
	Show func(ctx context.Context, op dobot.Operation, rep *progress.Reporter)
	// Mirror copies an audit row the store wrote to the audit channel.
	Mirror   func(e dobot.AuditEntry)
	Reporter func(op dobot.Operation) *progress.Reporter
	// Raw calls DigitalOcean's API where godo has no method.
	Raw func(ctx context.Context, method, path string, body, out any) error
}

// Canceler cancels requests and deployments.
type Canceler struct{ d Deps }

// New returns a Canceler.
func New(d Deps) *Canceler { return &Canceler{d: d} }

// Who is the person canceling, with their role, and where.
type Who struct {
	UserID, UserName, Channel, CommandText string
	Role                                   dobot.Role
}

// Load loads request or operation id for who to cancel, refusing when it
// is not there or not theirs.
func (c *Canceler) Load(ctx context.Context, who Who, id int64) (dobot.Operation, error) {
	op, err := c.d.Carded(ctx, id)
	if errors.Is(err, dobot.ErrNotFound) {
		return op, reply.Errorf("There is no request or operation #%d. `/do ops` lists what is waiting or running.", id)
	}
	if err != nil {
		return op, fmt.Errorf("load operation %d: %w", id, err)
	}
	if op.Requester != who.UserID && who.Role < dobot.RoleAdmin {
		return op, reply.Errorf("Only %s, who asked for %s, or an admin may cancel it.", reply.Markup(chat.Mention(op.Requester)), deploy.Ref(op))
	}
	if op.State != dobot.OpAwaitingApproval && who.Role < dobot.RoleViewer {
		// Let in only to withdraw (see OwnsWaiting), and the request
		// was decided meanwhile.
		return op, reply.Errorf("%s is no longer waiting: %s.", deploy.RefTitle(op), reply.Markup(requests.StateText(op)))
	}
	return op, nil
}

// OwnsWaiting reports whether op is userID's request and still waits for
// a decision: withdrawing it only takes back what they asked for, so it
// needs no role.
func OwnsWaiting(op dobot.Operation, userID string) bool {
	return op.Requester == userID && (op.State == dobot.OpAwaitingApproval || op.State == dobot.OpRequested)
}

// Cancel withdraws op or cancels its deployment, as who, and returns the
// private answer; a refusal is a user error.
func (c *Canceler) Cancel(ctx context.Context, who Who, op dobot.Operation) (chat.Message, error) {
	switch ops.CanCancel(op, Deploys(op)) {
	case ops.CancelWithdraw:
		return c.withdraw(ctx, who, op)
	case ops.CancelCannot:
		if op.Action == deploy.ActionLaunch {
			return chat.Message{}, reply.Errorf("%s is launching the droplet %s, which cannot be stopped part-way. Once it is up, `/do teardown %s` removes it.", deploy.RefTitle(op), op.App, op.App)
		}
		return chat.Message{}, reply.Errorf("%s (%s) is already under way and cannot be stopped part-way.", deploy.RefTitle(op), deploy.What(op))
	case ops.CancelNotYet:
		if op.Action == deploy.ActionLaunch {
			return chat.Message{}, reply.Errorf("%s is still creating %s; try again in a few seconds, once its deployment has started.", deploy.RefTitle(op), op.App)
		}
		return chat.Message{}, reply.Errorf("%s (%s) has not started its deployment yet; try again in a few seconds.", deploy.RefTitle(op), deploy.What(op))
	case ops.CancelDeployment:
		if err := c.cancelDeployment(ctx, op.ResourceID, op.DeploymentID); err != nil {
			return chat.Message{}, err
		}
		c.d.Reporter(op).Reply(ctx, chat.Message{Text: fmt.Sprintf(chat.IconCanceled+" %s asked DigitalOcean to cancel deployment `%s`.", chat.Mention(who.UserID), op.DeploymentID)})
		return chat.Message{Text: fmt.Sprintf("Asked DigitalOcean to cancel the deployment of %s (%s); its thread shows the result.", op.App, deploy.Ref(op))}, nil
	}
	return chat.Message{}, reply.Errorf("%s has already ended (%s); there is nothing to cancel.", deploy.RefTitle(op), op.State)
}

// withdraw cancels a request waiting for a decision and shows it.
func (c *Canceler) withdraw(ctx context.Context, who Who, op dobot.Operation) (chat.Message, error) {
	canceled, ok, stored, err := c.d.Withdraw(ctx, op, ops.Withdrawal{By: who.UserID, ByName: who.UserName,
		Channel: who.Channel, CommandText: who.CommandText})
	if err != nil {
		return chat.Message{}, fmt.Errorf("cancel request %d: %w", op.ID, err)
	}
	if !ok {
		return chat.Message{}, reply.Errorf("Request #%d is no longer waiting: %s.", op.ID, reply.Markup(requests.StateText(canceled)))
	}
	c.d.Mirror(stored)
	rep := c.d.Reporter(canceled)
	c.d.Show(ctx, canceled, rep)
	rep.Final(ctx, chat.Message{Text: fmt.Sprintf(chat.IconDenied+" %s canceled request #%d (%s). Nothing was done.", chat.Mention(who.UserID), op.ID, reply.Escape(deploy.What(op)))})
	return chat.Message{Text: fmt.Sprintf("Canceled request #%d.", op.ID)}, nil
}

// Deploys reports whether op's work is an App Platform deployment, which
// DigitalOcean can cancel.
func Deploys(op dobot.Operation) bool {
	switch op.Action {
	case deploy.ActionRedeploy, deploy.ActionRollback, deploy.ActionScale, deploy.ActionRestart, deploy.ActionEnv, deploy.ActionDomains:
		return true
	case deploy.ActionLaunch:
		return !IsDropletLaunch(op)
	}
	return false
}

// IsDropletLaunch reports whether op launches a droplet, which has no
// deployment to cancel.
func IsDropletLaunch(op dobot.Operation) bool {
	args, err := ops.DecodeArgs[deploy.LaunchArgs](op)
	return err == nil && args.Droplet
}

// cancelDeployment asks App Platform to cancel a deployment. godo has no
// method for it.
func (c *Canceler) cancelDeployment(ctx context.Context, appID, deploymentID string) error {
	var out struct {
		Deployment *godo.Deployment `json:"deployment"`
	}
	if err := c.d.Raw(ctx, http.MethodPost, fmt.Sprintf("v2/apps/%s/deployments/%s/cancel", appID, deploymentID), nil, &out); err != nil {
		return fmt.Errorf("cancel deployment %s: %w", deploymentID, err)
	}
	return nil
}
