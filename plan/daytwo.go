package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/docloud/daytwo"
)

// maxPlanLines is how many lines of a plan a card shows.
const maxPlanLines = 20

// PlanChange diffs what an app runs with what a change would send, priced,
// as the card's lines. Every variable's value is masked, secret or not: a
// value typed in a command is shown nowhere.
func (b *Planner) PlanChange(ctx context.Context, old, new *godo.AppSpec) ([]string, daytwo.Plan, error) {
	plan, err := daytwo.PlanChange(ctx, b.Prices(), old, new)
	if err != nil {
		return nil, plan, sizeError(err)
	}
	for i, c := range plan.Changes {
		if isEnvValue(c.Path) {
			if c.From != "" {
				plan.Changes[i].From = dobot.Masked
			}
			if c.To != "" {
				plan.Changes[i].To = dobot.Masked
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

// withPlan is the plan of sending new in place of old, and fields with the
// plan's field added; none when nothing new is sent.
func (b *Planner) withPlan(ctx context.Context, old, new *godo.AppSpec, fields []chat.Field) ([]string, []chat.Field, error) {
	if new == nil {
		return nil, fields, nil
	}
	lines, _, err := b.PlanChange(ctx, old, new)
	if len(lines) > 0 {
		fields = append(fields, deploy.PlanField(lines))
	}
	return lines, fields, err
}

// isEnvValue reports whether a diff path names a variable's value.
func isEnvValue(path string) bool {
	return strings.HasSuffix(path, ".value") && (strings.HasPrefix(path, "envs.") || strings.Contains(path, ".envs."))
}

// dayTwoTarget is the managed App Platform app a day-two command acts on,
// and the app as DigitalOcean has it now.
func (b *Planner) dayTwoTarget(ctx context.Context, command, name string) (dobot.App, *godo.App, error) {
	managed, err := b.ManagedApp(ctx, name)
	if err != nil {
		return managed, nil, err
	}
	if managed.Kind == deploy.KindDroplet {
		return managed, nil, userErrorf("%s is a droplet; %s works on App Platform apps. Nothing was changed.", name, command)
	}
	app, err := b.GetApp(ctx, managed)
	if err != nil {
		return managed, nil, err
	}
	if app.Spec == nil {
		return managed, nil, fmt.Errorf("app %s has no spec", managed.ResourceID)
	}
	return managed, app, nil
}

// AppNow is the managed App Platform app name and its app on DigitalOcean,
// for the day-two commands that only read (env, domains).
func (b *Planner) AppNow(ctx context.Context, command, name string) (dobot.App, *godo.App, error) {
	return b.dayTwoTarget(ctx, command, name)
}

// specChange plans sending args.Spec in place of app's spec: the
// plan-style diff and its cost go on the card (and on an approval card),
// secret values are sealed until sent, and a change that changes nothing
// is refused.
func (b *Planner) specChange(ctx context.Context, action, summary string, args ChangeArgs, managed dobot.App, app *godo.App, fields []chat.Field) (*Plan, error) {
	lines, plan, err := b.PlanChange(ctx, app.Spec, args.Spec)
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
	fields = append(fields, deploy.PlanField(lines))
	stored := args
	stored.Spec = b.exec.SealSpec(args.Spec)
	raw, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("encode %s args: %w", action, err)
	}
	return &Plan{
		Op:           dobot.Operation{Action: action, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary:      summary,
		Fields:       deploy.NonEmpty(fields),
		MonthlyCents: plan.AfterCents,
	}, nil
}

// Scale plans a change of a component's instance count or size, under the
// same size rules as a launch.
func (b *Planner) Scale(ctx context.Context, args ChangeArgs) (*Plan, error) {
	managed, app, err := b.dayTwoTarget(ctx, "scale", args.Name)
	if err != nil {
		return nil, err
	}
	s, err := daytwo.PlanScale(ctx, b.Prices(), app.Spec, daytwo.ScaleRequest{Component: args.Component, Instances: args.Instances, Size: args.Size})
	if err != nil {
		var ce *daytwo.ComponentError
		if errors.As(err, &ce) {
			return nil, userErrorf("Cannot scale %s: %s; choose with --component. Nothing was changed.", args.Name, Escape(ce.Error()))
		}
		return nil, SizeRuleError(err, args.Size, "Nothing was changed.")
	}
	args.Spec, args.Component = s.Spec, s.Component
	fields := []chat.Field{{Label: "App", Value: args.Name}, {Label: "Component", Value: Escape(s.Component)},
		{Label: "Size", Value: fmt.Sprintf("%s × %d → %s × %d", s.FromSize, s.FromInstances, s.ToSize, s.ToInstances)},
		{Label: "Cost", Value: fmt.Sprintf("%s/month → %s/month", deploy.Money(s.BeforeCents), deploy.Money(s.AfterCents))}}
	if s.Retiring {
		fields = append(fields, chat.Field{Label: "Warning", Value: retiringNote(s.ToSize)})
	}
	return b.specChange(ctx, deploy.ActionScale, "scale "+args.Name, args, managed, app, fields)
}

// SizeRuleError turns docloud's size-rule errors into answers: an unknown
// size names the sizes there are; a single-instance size names the sizes
// that allow more. nothing ends the answer ("Nothing was created.").
func SizeRuleError(err error, slug, nothing string) error {
	var single *docloud.SingleInstanceError
	if !errors.As(err, &single) {
		return sizeError(err)
	}
	var more []string
	for _, s := range single.Allowing {
		more = append(more, fmt.Sprintf("%s (%s/month)", s.Slug, deploy.Money(docloud.Cents(s.USDPerMonth))))
	}
	which := "size " + single.Slug
	if slug == "" {
		which = "the default size, " + single.Slug + ","
	}
	return userErrorf("%s runs one instance only, so --instances %d cannot work. Pick a size that allows more with --size: %s. %s",
		which, single.Instances, strings.Join(more, ", "), nothing)
}

// retiringNote warns that DigitalOcean intends to retire size slug.
func retiringNote(slug string) string {
	return fmt.Sprintf("%s DigitalOcean intends to retire size %s; it runs today, but pick another (`/do sizes`) for anything that should last.", chat.IconWarning, slug)
}

// Restart plans App Platform's restart of an app's components.
func (b *Planner) Restart(ctx context.Context, args ChangeArgs) (*Plan, error) {
	managed, app, err := b.dayTwoTarget(ctx, "restart", args.Name)
	if err != nil {
		return nil, err
	}
	if names := specComponents(app.Spec); args.Component != "" && !slices.Contains(names, args.Component) {
		return nil, userErrorf("%s has no component %q; it has %s. Nothing was changed.", args.Name, Escape(args.Component), Escape(strings.Join(names, ", ")))
	}
	args.BeforeAt = docloud.NewestCreated(app)
	args.From = managed.Image
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode restart args: %w", err)
	}
	which := "every component"
	if args.Component != "" {
		which = Escape(args.Component)
	}
	return &Plan{
		Op:           dobot.Operation{Action: deploy.ActionRestart, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary:      "restart " + args.Name,
		Fields:       []chat.Field{{Label: "App", Value: args.Name}, {Label: "Restarts", Value: which + " (no rebuild)"}},
		MonthlyCents: managed.MonthlyCents,
	}, nil
}

// specComponents are the names of spec's components that run: services,
// workers, jobs and static sites.
func specComponents(spec *godo.AppSpec) []string {
	var out []string
	if spec == nil {
		return nil
	}
	_ = godo.ForEachAppSpecComponent(spec, func(c godo.AppBuildableComponentSpec) error {
		if c.GetType() != godo.AppComponentTypeFunctions {
			out = append(out, c.GetName())
		}
		return nil
	})
	return out
}

// EnvSet plans setting one variable: a secret-looking or --secret key is
// SECRET, a SECRET stays SECRET, and every other variable (sealed
// secrets included) goes back as DigitalOcean served it.
func (b *Planner) EnvSet(ctx context.Context, args ChangeArgs) (*Plan, error) {
	if len(args.Env) != 1 {
		return nil, errors.New("env set: no variable to set")
	}
	managed, app, err := b.dayTwoTarget(ctx, "env set", args.Name)
	if err != nil {
		return nil, err
	}
	key, value := args.Env[0][0], args.Env[0][1]
	if args.Spec, err = daytwo.EnvSet(app.Spec, args.Component, key, value, args.IsSecret(key)); err != nil {
		return nil, envError(err, args)
	}
	if !args.IsSecret(key) && isSecretIn(args.Spec, key) {
		args.SecretKeys = []string{key} // it was SECRET, and stays so
	}
	fields := []chat.Field{{Label: "App", Value: args.Name}, {Label: "Set", Value: Escape(deploy.EnvKeysText(args.EnvKeys, args.IsSecret)) + " = " + dobot.Masked}}
	return b.specChange(ctx, deploy.ActionEnv, fmt.Sprintf("set %s on %s", key, args.Name), args, managed, app, fields)
}

// EnvUnset plans removing one variable, keeping every other as it is.
func (b *Planner) EnvUnset(ctx context.Context, args ChangeArgs) (*Plan, error) {
	managed, app, err := b.dayTwoTarget(ctx, "env unset", args.Name)
	if err != nil {
		return nil, err
	}
	key := args.EnvKeys[0]
	spec, found, err := daytwo.EnvUnset(app.Spec, args.Component, key)
	if err != nil {
		return nil, envError(err, args)
	}
	if !found {
		where := ""
		if args.Component != "" {
			where = " in " + Escape(args.Component)
		}
		return nil, userErrorf("%s has no variable %s%s; `/do env %s` lists them. Nothing was changed.", args.Name, key, where, args.Name)
	}
	args.Spec = spec
	fields := []chat.Field{{Label: "App", Value: args.Name}, {Label: "Unset", Value: key}}
	return b.specChange(ctx, deploy.ActionEnv, fmt.Sprintf("unset %s on %s", key, args.Name), args, managed, app, fields)
}

// isSecretIn reports whether spec holds key as SECRET anywhere.
func isSecretIn(spec *godo.AppSpec, key string) bool {
	for _, v := range daytwo.EnvList(spec) {
		if v.Key == key && v.Type == godo.AppVariableType_Secret {
			return true
		}
	}
	return false
}

// envError is what env set and unset answer when the change cannot be
// made.
func envError(err error, args ChangeArgs) error {
	var ce *daytwo.ComponentError
	if errors.As(err, &ce) {
		return userErrorf("Cannot change the variables of %s: %s. Nothing was changed.", args.Name, Escape(ce.Error()))
	}
	return err
}

// DomainArgs are the arguments of domains add and remove.
type DomainArgs struct {
	ChangeArgs
	Remove  bool
	Primary bool
}

// DomainChange plans adding or removing a custom domain.
func (b *Planner) DomainChange(ctx context.Context, a DomainArgs) (*Plan, error) {
	args := a.ChangeArgs
	verb := "add"
	if a.Remove {
		verb = "remove"
	}
	managed, app, err := b.dayTwoTarget(ctx, "domains "+verb, args.Name)
	if err != nil {
		return nil, err
	}
	if a.Remove {
		args.Spec, err = daytwo.RemoveDomain(app.Spec, args.Domain)
	} else {
		args.Spec, err = daytwo.AddDomain(app.Spec, args.Domain, a.Primary)
	}
	var de *daytwo.DomainError
	if errors.As(err, &de) {
		return nil, userErrorf("Cannot %s %s on %s: %s. Nothing was changed.", verb, args.Domain, args.Name, Escape(de.Error()))
	}
	if err != nil {
		return nil, err
	}
	what := args.Domain
	if a.Primary {
		what += " (primary)"
	}
	fields := []chat.Field{{Label: "App", Value: args.Name}, {Label: strings.ToUpper(verb[:1]) + verb[1:], Value: what}}
	if a.Remove {
		args.Domain = "" // nothing to follow
	}
	return b.specChange(ctx, deploy.ActionDomains, fmt.Sprintf("%s domain %s on %s", verb, what, args.Name), args, managed, app, fields)
}
