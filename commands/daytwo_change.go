package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/daytwo"
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
	ActionDomainFollow = "domains.follow"
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
	Facts []Field `json:",omitempty"`
}

// specChangeActions send a new spec worked out from the app's spec at
// request time; an approval is bound to that spec (binding.go).
var specChangeActions = []string{ActionRedeploy, ActionRollback, ActionScale, ActionEnv, ActionDomains}

// maxPlanLines is how many lines of a plan a card shows.
const maxPlanLines = 20

// planChange diffs what an app runs with what a change would send, priced,
// as the card's lines. Every variable's value is masked, secret or not:
// a value typed in a command is shown nowhere.
func (b *Bot) planChange(ctx context.Context, old, new *godo.AppSpec) ([]string, daytwo.Plan, error) {
	plan, err := daytwo.PlanChange(ctx, b.priceCache(), old, new)
	if err != nil {
		return nil, plan, sizeError(err)
	}
	for i, c := range plan.Changes {
		if isEnvValue(c.Path) {
			if c.From != "" {
				plan.Changes[i].From = Masked
			}
			if c.To != "" {
				plan.Changes[i].To = Masked
			}
		}
	}
	lines := plan.Lines()
	if len(lines) > maxPlanLines {
		more := len(lines) - maxPlanLines + 1
		lines = append(lines[:maxPlanLines-1], fmt.Sprintf("… and %d more changes", more))
	}
	return lines, plan, nil
}

// withPlan is the plan of sending new in place of old, and fields with
// the plan's field added; none when nothing new is sent.
func (b *Bot) withPlan(ctx context.Context, old, new *godo.AppSpec, fields []Field) ([]string, []Field, error) {
	if new == nil {
		return nil, fields, nil
	}
	lines, _, err := b.planChange(ctx, old, new)
	if len(lines) > 0 {
		fields = append(fields, planField(lines))
	}
	return lines, fields, err
}

// isEnvValue reports whether a diff path names a variable's value.
func isEnvValue(path string) bool {
	return strings.HasSuffix(path, ".value") && (strings.HasPrefix(path, "envs.") || strings.Contains(path, ".envs."))
}

// planField is the plan as a card field, one change a line.
func planField(lines []string) Field {
	if len(lines) == 0 {
		return Field{}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = Escape(l)
	}
	return Field{Label: "Plan", Value: "```\n" + strings.Join(out, "\n") + "\n```"}
}

// dayTwoTarget is the managed App Platform app a day-two command acts on,
// and the app as DigitalOcean has it now.
func (b *Bot) dayTwoTarget(ctx context.Context, command, name string) (dobot.App, *godo.App, error) {
	managed, err := b.managedApp(ctx, name)
	if err != nil {
		return managed, nil, err
	}
	if managed.Kind == kindDroplet {
		return managed, nil, userErrorf("%s is a droplet; %s works on App Platform apps. Nothing was changed.", name, command)
	}
	app, err := b.getApp(ctx, managed)
	if err != nil {
		return managed, nil, err
	}
	if app.Spec == nil {
		return managed, nil, fmt.Errorf("app %s has no spec", managed.ResourceID)
	}
	return managed, app, nil
}

// prepareSpecChange plans sending args.Spec in place of app's spec: the
// plan-style diff and its cost go on the card (and on an approval card),
// secret values are sealed until sent, and a change that changes nothing
// is refused.
func (b *Bot) prepareSpecChange(ctx context.Context, action, summary string, args ChangeArgs, managed dobot.App, app *godo.App, fields []Field) (*Plan, error) {
	lines, plan, err := b.planChange(ctx, app.Spec, args.Spec)
	if err != nil {
		return nil, err
	}
	if len(plan.Changes) == 0 {
		return nil, userErrorf("%s: %s already has that, so nothing would change. Nothing was sent.", summary, args.Name)
	}
	args.Plan, args.MonthlyCents = lines, plan.AfterCents
	args.BeforeAt = docloud.NewestCreated(app)
	args.From = managed.Image
	for _, f := range fields {
		if f.Label != "App" {
			args.Facts = append(args.Facts, f)
		}
	}
	fields = append(fields, planField(lines))
	stored := args
	stored.Spec = b.vault.sealSpec(args.Spec)
	raw, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("encode %s args: %w", action, err)
	}
	return &Plan{
		Op:           dobot.Operation{Action: action, App: args.Name, Args: string(raw), Reason: args.Reason, ResourceID: managed.ResourceID},
		Summary:      summary,
		Fields:       nonEmpty(fields),
		MonthlyCents: plan.AfterCents,
	}, nil
}

// dayTwoHead is the first message of a day-two action.
func dayTwoHead(op dobot.Operation) Message {
	args, _ := decodeArgs[ChangeArgs](op)
	return dayTwoCard(op, args, launchState{Phase: "starting"})
}

// changeCardFor is the card of a redeploy, rollback or day-two change.
func changeCardFor(op dobot.Operation, args ChangeArgs, st launchState) Message {
	switch op.Action {
	case ActionScale, ActionRestart, ActionEnv, ActionDomains:
		return dayTwoCard(op, args, st)
	}
	return changeCard(op, args, st)
}

// dayTwoTitles are a day-two card's titles while it runs and once done.
var dayTwoTitles = map[string][2]string{
	ActionScale:   {chat.IconSettings + " Scaling %s", chat.IconOK + " %s is scaled"},
	ActionRestart: {chat.IconRestart + " Restarting %s", chat.IconOK + " %s restarted"},
	ActionEnv:     {chat.IconSettings + " Changing the variables of %s", chat.IconOK + " The variables of %s are changed"},
	ActionDomains: {chat.IconSettings + " Changing the domains of %s", chat.IconOK + " The domains of %s are changed"},
}

// dayTwoCard is the card of a scale, restart, env or domains change: what
// it changes (the plan) and where its deployment is.
func dayTwoCard(op dobot.Operation, args ChangeArgs, st launchState) Message {
	titles := dayTwoTitles[op.Action]
	name := Escape(args.Name)
	title := fmt.Sprintf(titles[0], name)
	switch {
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Active:
		title = fmt.Sprintf(titles[1], name)
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Canceled:
		title = canceledTitle(op.Action, name)
	case st.final():
		title = fmt.Sprintf("%s %s of %s failed", chat.IconFailed, op.Action, name)
	}
	fields := []Field{{Label: "App", Value: name}, {Label: "Phase", Value: phaseName(st.Phase)}}
	if op.Action == ActionRestart {
		which := "every component"
		if args.Component != "" {
			which = Escape(args.Component)
		}
		fields = append(fields, Field{Label: "Restarts", Value: which + " (no rebuild)"})
	}
	fields = append(fields, args.Facts...)
	fields = append(fields, planField(args.Plan))
	if links := linksText(kindApp, op.ResourceID, st.URL); links != "" {
		fields = append(fields, Field{Label: "Links", Value: links})
	}
	m := Message{
		Text:     fmt.Sprintf("%s is running %s on %s: %s", chat.Mention(op.Requester), op.Action, name, phaseName(st.Phase)),
		Title:    title,
		Fields:   nonEmpty(fields),
		Progress: st.Progress,
		Footer:   opFooter(op),
	}
	if st.Failure != "" {
		m.Body = failureMark(st) + " " + st.Failure
	}
	return m
}

// runSpecChangeOp sends a scale, env or domains change and follows its
// deployment; a domain added is followed on until its certificate is
// issued (domains.go).
func runSpecChangeOp(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	b.runChange(ctx, op, rep, b.startRedeploy, func(ctx context.Context, args ChangeArgs) {
		b.recordShape(ctx, args)
		if op.Action == ActionDomains && args.Domain != "" {
			b.followDomain(ctx, op, args)
		}
	})
}

// sentSpecHash is the hash of the spec a change will send, as stored
// (secrets sealed), or "" when it sends none.
func sentSpecHash(op dobot.Operation) string {
	var a struct{ Spec *godo.AppSpec }
	if json.Unmarshal([]byte(op.Args), &a) != nil {
		return ""
	}
	return daytwo.SpecHash(a.Spec)
}

// dayTwoWhat is what a day-two operation does, in words, for /do ops and
// busy answers; false for other actions.
func dayTwoWhat(op dobot.Operation) (string, bool) {
	if op.Action != ActionDomainFollow {
		return "", false
	}
	a, err := decodeArgs[domainFollowArgs](op)
	if err != nil {
		return "follow a domain of " + op.App, true
	}
	return fmt.Sprintf("follow the certificate of %s on %s", a.Domain, op.App), true
}
