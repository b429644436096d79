package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud/appspec"
	"dobot/reply"
)

// prepareSource works a Git or spec launch out on DigitalOcean: detect the
// repository's components (Git), then propose the spec for its components,
// cost and warnings. Nothing is created.
func (b *Planner) prepareSource(ctx context.Context, args *LaunchArgs) error {
	src := *args.From
	spec := src.Spec
	if src.Git != nil {
		det, err := appspec.Detect(ctx, b.apps, *src.Git)
		if err != nil {
			return sourceError(err)
		}
		if det.Note != "" {
			args.Notes = append(args.Notes, Escape(det.Note))
		}
		spec = appspec.BuildGitSpec(args.Name, args.Region, *src.Git, det)
		withLaunchFlags(spec, *args)
	}
	note, err := b.CheckAppSize(ctx, args.Size, args.Instances)
	if err != nil {
		return err
	}
	if note != "" {
		args.Notes = append(args.Notes, note)
	}
	p, err := appspec.Propose(ctx, b.apps, b.Prices(), spec, "")
	if err != nil {
		return sourceError(err)
	}
	if !p.NameAvailable {
		hint := ""
		if p.NameSuggestion != "" {
			hint = fmt.Sprintf(" (%s is free)", p.NameSuggestion)
		}
		return userErrorf("DigitalOcean already has an app named %s%s. Pick another name; nothing was created.", spec.Name, hint)
	}
	src.Spec, src.Components, src.Warnings = spec, p.Components, p.Warnings
	args.From = &src
	args.MonthlyCents = p.AppCostCents
	if args.MonthlyCents == 0 {
		for _, c := range p.Components {
			args.MonthlyCents += c.Cents
		}
	}
	return nil
}

// withLaunchFlags applies launch's --size, --instances, --env and
// --secret to a spec built from a repository: sizes to every service and
// worker, variables to the app as a whole.
func withLaunchFlags(spec *godo.AppSpec, args LaunchArgs) {
	for _, s := range spec.Services {
		if args.Size != "" {
			s.InstanceSizeSlug = args.Size
		}
		if args.Instances > 0 {
			s.InstanceCount = int64(args.Instances)
		}
	}
	for _, w := range spec.Workers {
		if args.Size != "" {
			w.InstanceSizeSlug = args.Size
		}
		if args.Instances > 0 {
			w.InstanceCount = int64(args.Instances)
		}
	}
	for _, kv := range args.Env {
		v := &godo.AppVariableDefinition{Key: kv[0], Value: kv[1], Scope: godo.AppVariableScope_RunAndBuildTime, Type: godo.AppVariableType_General}
		if args.IsSecret(kv[0]) {
			v.Type = godo.AppVariableType_Secret
		}
		spec.Envs = append(spec.Envs, v)
	}
}

// sourceError turns what detect or propose refused into a user error that
// says what to do; nothing was created.
func sourceError(err error) error {
	var acc *appspec.RepoAccessError
	if errors.As(err, &acc) {
		msg := fmt.Sprintf("DigitalOcean cannot read %s (%s): connect GitHub to DigitalOcean first (https://cloud.digitalocean.com/apps/github/install) and give it this repository; a public repository works with any Git URL. Nothing was created.",
			acc.URL, acc.Message)
		if acc.RequestID != "" {
			msg += " DigitalOcean request id: " + acc.RequestID + "."
		}
		return &reply.UserError{Msg: Escape(msg)}
	}
	var ue *appspec.GitURLError
	if errors.As(err, &ue) {
		return &reply.UserError{Msg: Escape("bad --git: " + ue.Error())}
	}
	var de *godo.ErrorResponse
	if errors.As(err, &de) && de.Response != nil && de.Response.StatusCode == http.StatusBadRequest {
		msg := "App Platform refused the spec: " + de.Message + ". Fix it and try again; nothing was created."
		if de.RequestID != "" {
			msg += " (DigitalOcean request id " + de.RequestID + ")"
		}
		return &reply.UserError{Msg: Escape(msg)}
	}
	return err
}

// launchSource plans a Git or spec launch: detect and propose,
// then the plan whose card shows the components, cost and warnings.
func (b *Planner) launchSource(ctx context.Context, args LaunchArgs) (*Plan, error) {
	if err := b.prepareSource(ctx, &args); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(b.exec.SealLaunch(args))
	if err != nil {
		return nil, fmt.Errorf("encode launch args: %w", err)
	}
	plan := &Plan{
		Op:           dobot.Operation{Action: deploy.ActionLaunch, App: args.Name, Args: string(raw), Reason: args.Reason},
		Summary:      fmt.Sprintf("launch %s (%s) in %s", args.Name, args.From.Describe(), args.Region),
		Fields:       deploy.LaunchFields(args),
		MonthlyCents: args.MonthlyCents,
	}
	if args.DryRun {
		plan.DryRun = func(ctx context.Context) (chat.Message, error) {
			return b.ProposeApp(ctx, args.AppSpec(), "", "launch "+args.Name)
		}
	}
	return plan, nil
}
