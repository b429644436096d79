package commands

import (
	"strings"

	"dobot/cmdline"
	"dobot/deploy"
	"dobot/plan"
)

var redeployCommand = &Command{
	Name:        "redeploy",
	Usage:       "redeploy NAME [--image REF] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--size SLUG] [--instances N] [--dry-run] [--reason TEXT] [--break-glass REASON]",
	Description: "Deploy an app again: with --image, update its spec to the new image or tag; with --env or --secret, set those variables; with --size or --instances, resize it (the card shows the new monthly cost); with none of these, force a fresh deployment. Progress goes to a thread.",
	Examples:    []string{"redeploy web --image ghcr.io/nginxinc/nginx-unprivileged:mainline", "redeploy web", "redeploy web --secret API_TOKEN=…"},
	Action:      ActionRedeploy,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("redeploy")
		image := fs.String("image", "", "")
		dryRun := fs.Bool("dry-run", false, "")
		reason := fs.String("reason", "", "")
		size := fs.String("size", "", "")
		instances := &cmdline.IntFlag{Name: "instances", Min: 1, Max: 250}
		fs.Var(instances, "instances", "")
		glass := cmdline.BreakGlass(fs)
		env := &cmdline.EnvFlag{}
		fs.Var(env.As("env"), "env", "")
		fs.Var(env.As("secret"), "secret", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("redeploy takes one app name, like `/do redeploy web --image nginx:1.27`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := ChangeArgs{Name: pos[0], Image: cmdline.TrimScheme(strings.TrimSpace(*image)), DryRun: *dryRun, Reason: strings.TrimSpace(*reason),
			BreakGlass: glass.Value, Variables: deploy.Variables{Env: env.Pairs, SecretKeys: env.SecretKeys()}, Sizing: deploy.Sizing{Size: strings.TrimSpace(*size), Instances: instances.Value}}
		for _, kv := range env.Pairs {
			args.EnvKeys = append(args.EnvKeys, kv[0])
		}
		if args.Image != "" {
			if _, err := ParseImageRef(args.Image); err != nil {
				return nil, err
			}
		}
		return args, nil
	},
	Prepare: planWith((*plan.Planner).Redeploy),
}
