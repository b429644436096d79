package plan

import (
	"context"
	"encoding/json"
	"fmt"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
)

// Redeploy plans a redeploy of an App Platform app the bot manages: a new
// image (checked like a launch's), new variables, or a fresh deployment.
func (b *Planner) Redeploy(ctx context.Context, args ChangeArgs) (*Plan, error) {
	managed, err := b.ManagedApp(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if managed.Kind == deploy.KindDroplet {
		return nil, userErrorf("%s is a droplet; redeploy works on App Platform apps. Tear it down and launch it again, or use `/do droplet reboot %s`.", args.Name, args.Name)
	}
	app, err := b.GetApp(ctx, managed)
	if err != nil {
		return nil, err
	}
	args.From = managed.Image
	if managed.ImageDigest != "" {
		args.From += " (" + managed.ImageDigest + ")"
	}
	args.BeforeAt = docloud.NewestCreated(app)
	fields := []chat.Field{{Label: "App", Value: args.Name}, {Label: "Now running", Value: managed.Image}}
	if args.Image != "" {
		ref, _ := parseImageRef(args.Image)
		if err := b.CheckDOCRRegistry(ctx, ref); err != nil {
			return nil, err
		}
		if args.Check, err = b.Preflight(ctx, ref, 0); err != nil {
			return nil, err
		}
		args.Spec, args.PortNote = docloud.WithImage(app.Spec, ref, docloud.Preflight(args.Check))
		if args.Spec == nil {
			return nil, userErrorf("%s has no service that runs an image, so its image cannot be changed; `/do redeploy %s` without --image deploys it again.", args.Name, args.Name)
		}
		fields = append(fields, chat.Field{Label: "New image", Value: deploy.ImageWithDigest(args.Image, args.Check.Digest)})
		if args.PortNote != "" {
			fields = append(fields, chat.Field{Label: "Port", Value: args.PortNote})
		}
		if args.Check.Warning != "" {
			fields = append(fields, chat.Field{Label: "Warning", Value: args.Check.Warning})
		}
	}
	if len(args.Env) > 0 {
		base := args.Spec
		if base == nil {
			base = app.Spec
		}
		if args.Spec = docloud.WithEnv(base, args.Env, args.IsSecret); args.Spec == nil {
			return nil, userErrorf("%s has no service to set variables on; nothing was changed.", args.Name)
		}
		fields = append(fields, chat.Field{Label: "Set variables", Value: deploy.EnvKeysText(args.EnvKeys, args.IsSecret)})
	}
	cents, more, err := b.PlanResize(ctx, app.Spec, &args, managed.MonthlyCents)
	if err != nil {
		return nil, err
	}
	if args.Image == "" && len(args.Env) == 0 && args.Spec == nil {
		fields = append(fields, chat.Field{Label: "Change", Value: "a fresh deployment of the same spec (forced rebuild)"})
	}
	if args.Plan, fields, err = b.withPlan(ctx, app.Spec, args.Spec, append(fields, more...)); err != nil {
		return nil, err
	}
	stored := args
	stored.Spec = b.exec.SealSpec(args.Spec)
	raw, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("encode redeploy args: %w", err)
	}
	plan := &Plan{
		Op:      dobot.Operation{Action: deploy.ActionRedeploy, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: "redeploy " + args.Name,
		Fields:  fields,
		// What the app costs after the redeploy: the cost a limit weighs.
		MonthlyCents: cents,
	}
	if args.DryRun {
		spec := args.Spec
		if spec == nil {
			spec = app.Spec
		}
		plan.DryRun = func(ctx context.Context) (chat.Message, error) {
			return b.ProposeApp(ctx, spec, managed.ResourceID, "redeploy "+args.Name)
		}
	}
	return plan, nil
}

// Rollback plans going back to an earlier deployment that went live, as
// DigitalOcean validates it.
func (b *Planner) Rollback(ctx context.Context, args ChangeArgs) (*Plan, error) {
	managed, err := b.ManagedApp(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if managed.Kind == deploy.KindDroplet {
		return nil, userErrorf("%s is a droplet; rollback works on App Platform apps.", args.Name)
	}
	app, err := b.GetApp(ctx, managed)
	if err != nil {
		return nil, err
	}
	if app.ActiveDeployment != nil {
		args.From = "deployment `" + app.ActiveDeployment.ID + "`"
	}
	args.BeforeAt = docloud.NewestCreated(app)
	backTo := ""
	if args.DeploymentID == "" {
		prev, err := b.exec.PreviousDeployment(ctx, app)
		if err != nil {
			return nil, err
		}
		args.DeploymentID = prev.ID
		backTo = docloud.DeploymentImage(prev)
		args.BackToImage = backTo
	} else if d, _, err := b.apps.GetDeployment(ctx, managed.ResourceID, args.DeploymentID); err == nil {
		// Named (typed, or from a history line): the card says what it runs.
		backTo = docloud.DeploymentImage(d)
		args.BackToImage = backTo
	}
	check, err := docloud.Raw{Client: b.cloud.Raw}.ValidateRollback(ctx, managed.ResourceID, args.DeploymentID)
	if err != nil {
		return nil, fmt.Errorf("validate rollback of %s: %w", args.Name, err)
	}
	if !check.Valid {
		return nil, userErrorf("DigitalOcean says %s cannot roll back to deployment %s: %s. Nothing was changed.", args.Name, args.DeploymentID, check.Why())
	}
	fields := []chat.Field{{Label: "App", Value: args.Name}, {Label: "Now running", Value: args.From}, {Label: "Back to deployment", Value: "`" + args.DeploymentID + "`"}}
	if backTo != "" {
		// Launches pin the digest, so this names the exact image.
		fields = append(fields, chat.Field{Label: "Back to image", Value: backTo})
	}
	for _, w := range check.Warnings {
		fields = append(fields, chat.Field{Label: "Warning", Value: Escape(w.Message)})
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode rollback args: %w", err)
	}
	return &Plan{
		Op:      dobot.Operation{Action: deploy.ActionRollback, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: fmt.Sprintf("roll %s back to deployment %s", args.Name, args.DeploymentID),
		Fields:  fields,
	}, nil
}
