package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud/daytwo"
	"dobot/domainview"
	"dobot/progress"
)

// The day-two actions: each changes a running App Platform app, under its
// own policy (deployer by default), with a card, a thread and the audit.
// Scale, env and domains send a new spec; restart sends none.
const (
	ActionScale   = "scale"
	ActionRestart = "restart"
	ActionEnv     = "env"
	ActionDomains = "domains"
	// ActionDomainFollow follows a domain added by ActionDomains until its
	// certificate is issued. It is started by the bot, never typed, and
	// locks the domain, not the app, so the app stays free meanwhile.
	ActionDomainFollow = domainview.FollowAction
)

// DayTwo are the parts of a change's arguments the day-two commands add,
// stored with the operation. None holds a variable's value.
type DayTwo struct {
	// Plan is the plan-style diff the card shows.
	Plan []string `json:",omitempty"`
	// Component names the component a scale or restart acts on (restart:
	// "" is every one).
	Component string `json:",omitempty"`
	// Domain is the domain a domains change adds, to be followed.
	Domain string `json:",omitempty"`
	// Facts are what a day-two card shows beside the plan: sizes and
	// costs, the variable or domain changed, warnings.
	Facts []chat.Field `json:",omitempty"`
}

// PlanField is a plan as a card field, one change a line.
func PlanField(lines []string) chat.Field {
	if len(lines) == 0 {
		return chat.Field{}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = Escape(l)
	}
	return chat.Field{Label: "Plan", Value: "```\n" + strings.Join(out, "\n") + "\n```"}
}

// DayTwoHead is the first message of a day-two action.
func DayTwoHead(op dobot.Operation) chat.Message {
	args, _ := decodeArgs[ChangeArgs](op)
	return DayTwoCard(op, args, LaunchState{Phase: "starting"})
}

// changeCardFor is the card of a redeploy, rollback or day-two change.
func changeCardFor(op dobot.Operation, args ChangeArgs, st LaunchState) chat.Message {
	switch op.Action {
	case ActionScale, ActionRestart, ActionEnv, ActionDomains:
		return DayTwoCard(op, args, st)
	}
	return ChangeCard(op, args, st)
}

// dayTwoTitles are a day-two card's titles while it runs and once done.
var dayTwoTitles = map[string][2]string{
	ActionScale:   {chat.IconSettings + " Scaling %s", chat.IconOK + " %s is scaled"},
	ActionRestart: {chat.IconRestart + " Restarting %s", chat.IconOK + " %s restarted"},
	ActionEnv:     {chat.IconSettings + " Changing the variables of %s", chat.IconOK + " The variables of %s are changed"},
	ActionDomains: {chat.IconSettings + " Changing the domains of %s", chat.IconOK + " The domains of %s are changed"},
}

// DayTwoCard is the card of a scale, restart, env or domains change: what
// it changes (the plan) and where its deployment is.
func DayTwoCard(op dobot.Operation, args ChangeArgs, st LaunchState) chat.Message {
	titles := dayTwoTitles[op.Action]
	name := Escape(args.Name)
	title := fmt.Sprintf(titles[0], name)
	switch {
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Active:
		title = fmt.Sprintf(titles[1], name)
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Canceled:
		title = CanceledTitle(op.Action, name)
	case st.Final():
		title = fmt.Sprintf("%s %s of %s failed", chat.IconFailed, op.Action, name)
	}
	fields := []chat.Field{{Label: "App", Value: name}, {Label: "Phase", Value: PhaseName(st.Phase)}}
	if op.Action == ActionRestart {
		which := "every component"
		if args.Component != "" {
			which = Escape(args.Component)
		}
		fields = append(fields, chat.Field{Label: "Restarts", Value: which + " (no rebuild)"})
	}
	fields = append(fields, args.Facts...)
	fields = append(fields, PlanField(args.Plan))
	if links := LinksText(KindApp, op.ResourceID, st.URL); links != "" {
		fields = append(fields, chat.Field{Label: "Links", Value: links})
	}
	m := chat.Message{
		Text:     fmt.Sprintf("%s is running %s on %s: %s", chat.Mention(op.Requester), op.Action, name, PhaseName(st.Phase)),
		Title:    title,
		Fields:   NonEmpty(fields),
		Progress: st.Progress,
		Footer:   opFooter(op),
	}
	if st.Failure != "" {
		m.Body = FailureMark(st) + " " + st.Failure
	}
	return m
}

// RunSpecChange sends a scale, env or domains change and follows its
// deployment; a domain added is followed on until its certificate is
// issued (Deps.DomainAdded).
func RunSpecChange(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	b.runChange(ctx, op, rep, b.startRedeploy, func(ctx context.Context, args ChangeArgs) {
		b.recordShape(ctx, args)
		if op.Action == ActionDomains && args.Domain != "" && b.domainAdded != nil {
			b.domainAdded(ctx, op, args.Domain)
		}
	})
}

// RunRestart restarts an app's components and follows the restart.
func RunRestart(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	b.runChange(ctx, op, rep, b.startRestart, nil)
}

// startRestart asks App Platform for a restart and records its deployment.
func (b *Executor) startRestart(ctx context.Context, op *dobot.Operation, args ChangeArgs) error {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Target: args.Name, Action: "do.restart_app", Decision: "allowed"}
	var comps []string
	if args.Component != "" {
		comps = []string{args.Component}
	}
	d, err := daytwo.Restart(ctx, b.apps, op.ResourceID, comps...)
	if err != nil {
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		return err
	}
	if d == nil || d.ID == "" {
		return fmt.Errorf("DigitalOcean accepted the restart of %s but shows no new deployment", args.Name)
	}
	op.DeploymentID = d.ID
	entry.Outcome, entry.Details = "ok", fmt.Sprintf("app_id=%s deployment_id=%s components=%s", op.ResourceID, d.ID, strings.Join(comps, ","))
	b.audit(ctx, b.log, entry)
	return nil
}

// SetProject sets DO_PROJECT's project id, resolved at start, before any
// operation runs.
func (b *Executor) SetProject(id string) { b.cfg.ProjectID = id }

// assignToProject puts op's new app or droplet into DO_PROJECT's project,
// audited. A failure is said in the thread and does not fail the launch:
// the resource runs, only its project is wrong. Assigning again on resume
// changes nothing.
func (b *Executor) assignToProject(ctx context.Context, op dobot.Operation, droplet bool, rep *progress.Reporter) {
	if b.cfg.ProjectID == "" || op.ResourceID == "" || b.cloud.Projects == nil {
		return
	}
	urn := daytwo.AppURN(op.ResourceID)
	if droplet {
		var id int
		if _, err := fmt.Sscan(op.ResourceID, &id); err != nil {
			return
		}
		urn = daytwo.DropletURN(id)
	}
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: "do.assign_project", Target: op.App, Decision: "allowed", Outcome: "ok", Details: fmt.Sprintf("urn=%s project_id=%s", urn, b.cfg.ProjectID)}
	if err := daytwo.AssignToProject(ctx, b.cloud.Projects, b.cfg.ProjectID, urn); err != nil {
		if ctx.Err() != nil {
			return // shutting down: assigned again when the launch resumes
		}
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		rep.Note(ctx, errorMessage(fmt.Sprintf("%s runs, but could not be put into the project DO_PROJECT names: %s", Escape(op.App), entry.Error)))
		return
	}
	b.audit(ctx, b.log, entry)
}
