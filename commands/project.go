package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"dobot"
	"dobot/docloud/daytwo"
)

// DO_PROJECT puts new apps and droplets into a DigitalOcean project. The
// project is resolved once, at start, so a name that matches nothing stops
// the bot with a clear error instead of failing every launch. A launch
// assigns its app or droplet after the create, and again when it resumes:
// assigning what is already in the project changes nothing.

// resolveProject finds DO_PROJECT's id.
func (b *Bot) resolveProject(ctx context.Context) error {
	if b.cfg.Project == "" {
		return nil
	}
	if b.cloud.Projects == nil {
		return errors.New("DO_PROJECT is set, but the bot has no DigitalOcean projects service")
	}
	p, err := daytwo.ResolveProject(ctx, b.cloud.Projects, b.cfg.Project)
	var pe *daytwo.ProjectError
	if errors.As(err, &pe) {
		return fmt.Errorf("DO_PROJECT: %w. Set DO_PROJECT to a project's name or id, or unset it to use the default project", err)
	}
	if err != nil {
		return fmt.Errorf("DO_PROJECT: %w", err)
	}
	b.projectID = p.ID
	b.log.Info("new apps and droplets go into a project", "project", p.Name, "project_id", p.ID)
	return nil
}

// assignToProject puts op's new app or droplet into DO_PROJECT's project,
// audited. A failure is said in the thread and does not fail the launch:
// the resource runs, only its project is wrong.
func (b *Bot) assignToProject(ctx context.Context, op dobot.Operation, droplet bool, rep *reporter) {
	if b.projectID == "" || op.ResourceID == "" {
		return
	}
	urn := daytwo.AppURN(op.ResourceID)
	if droplet {
		id, err := strconv.Atoi(op.ResourceID)
		if err != nil {
			return
		}
		urn = daytwo.DropletURN(id)
	}
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: "do.assign_project", Target: op.App, Decision: "allowed", Outcome: "ok", Details: fmt.Sprintf("urn=%s project_id=%s", urn, b.projectID)}
	if err := daytwo.AssignToProject(ctx, b.cloud.Projects, b.projectID, urn); err != nil {
		if ctx.Err() != nil {
			return // shutting down: assigned again when the launch resumes
		}
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		rep.note(ctx, errorMessage(fmt.Sprintf("%s runs, but could not be put into the project DO_PROJECT names: %s", Escape(op.App), entry.Error)))
		return
	}
	b.audit(ctx, b.log, entry)
}
