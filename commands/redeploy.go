package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"dobot"
	"dobot/deploy"
	"dobot/docloud"
)

var redeployCommand = &Command{
	Name:        "redeploy",
	Usage:       "redeploy NAME [--image REF] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--dry-run] [--reason TEXT]",
	Description: "Deploy an app again: with --image, update its spec to the new image or tag; with --env or --secret, set those variables; with neither, force a fresh deployment. Progress goes to a thread.",
	Examples:    []string{"redeploy web --image ghcr.io/nginxinc/nginx-unprivileged:mainline", "redeploy web", "redeploy web --secret API_TOKEN=…"},
	Action:      ActionRedeploy,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("redeploy")
		image := fs.String("image", "", "")
		dryRun := fs.Bool("dry-run", false, "")
		reason := fs.String("reason", "", "")
		env := &envFlag{}
		fs.Var(env.as("env"), "env", "")
		fs.Var(env.as("secret"), "secret", "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("redeploy takes one app name, like `/do redeploy web --image nginx:1.27`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := ChangeArgs{Name: pos[0], Image: trimScheme(strings.TrimSpace(*image)), DryRun: *dryRun, Reason: strings.TrimSpace(*reason),
			Env: env.pairs, SecretKeys: env.secretKeys()}
		for _, kv := range env.pairs {
			args.EnvKeys = append(args.EnvKeys, kv[0])
		}
		if args.Image != "" {
			if _, err := ParseImageRef(args.Image); err != nil {
				return nil, err
			}
		}
		return args, nil
	},
	Prepare: prepareRedeploy,
}

func prepareRedeploy(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[ChangeArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, err := b.managedApp(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if managed.Kind == kindDroplet {
		return nil, userErrorf("%s is a droplet; redeploy works on App Platform apps. Tear it down and launch it again, or use `/do droplet reboot %s`.", args.Name, args.Name)
	}
	app, _, err := b.apps.Get(ctx, managed.ResourceID)
	if err != nil {
		return nil, fmt.Errorf("get app %s: %w", managed.ResourceID, err)
	}
	args.From = managed.Image
	if managed.ImageDigest != "" {
		args.From += " (" + managed.ImageDigest + ")"
	}
	args.BeforeAt = docloud.NewestCreated(app)
	fields := []Field{{Label: "App", Value: args.Name}, {Label: "Now running", Value: managed.Image}}
	if args.Image != "" {
		ref, _ := ParseImageRef(args.Image)
		if err := b.checkDOCRRegistry(ctx, ref); err != nil {
			return nil, err
		}
		if args.Check, err = b.preflight(ctx, ref, 0); err != nil {
			return nil, err
		}
		args.Spec, args.PortNote = docloud.WithImage(app.Spec, ref, docloud.Preflight(args.Check))
		if args.Spec == nil {
			return nil, userErrorf("%s has no service that runs an image, so its image cannot be changed; `/do redeploy %s` without --image deploys it again.", args.Name, args.Name)
		}
		fields = append(fields, Field{Label: "New image", Value: deploy.ImageWithDigest(args.Image, args.Check.Digest)})
		if args.PortNote != "" {
			fields = append(fields, Field{Label: "Port", Value: args.PortNote})
		}
		if args.Check.Warning != "" {
			fields = append(fields, Field{Label: "Warning", Value: args.Check.Warning})
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
		fields = append(fields, Field{Label: "Set variables", Value: deploy.EnvKeysText(args.EnvKeys, args.IsSecret)})
	}
	if args.Image == "" && len(args.Env) == 0 {
		fields = append(fields, Field{Label: "Change", Value: "a fresh deployment of the same spec (forced rebuild)"})
	}
	stored := args
	stored.Spec = b.exec.SealSpec(args.Spec)
	raw, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("encode redeploy args: %w", err)
	}
	plan := &Plan{
		Op:      dobot.Operation{Action: ActionRedeploy, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: "redeploy " + args.Name,
		Fields:  fields,
	}
	if args.DryRun {
		spec := args.Spec
		if spec == nil {
			spec = app.Spec
		}
		plan.DryRun = func(ctx context.Context) (Message, error) {
			return b.proposeApp(ctx, spec, managed.ResourceID, "redeploy "+args.Name)
		}
	}
	return plan, nil
}
