package daytwocmd

import (
	"strings"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/reply"
)

// validName is dobot.ValidAppName with its refusal as a user error.
func validName(name string) error { return reply.FromDomain(dobot.ValidAppName(name)) }

// ParseScale reads scale NAME [--instances N] [--size SLUG] [--component C]
// [--reason TEXT]: at least one of --instances and --size.
func ParseScale(words []string) (deploy.ChangeArgs, error) {
	fs := cmdline.NewFlagSet("scale")
	size := fs.String("size", "", "")
	component := fs.String("component", "", "")
	reason := fs.String("reason", "", "")
	instances := &cmdline.IntFlag{Name: "instances", Min: 1, Max: 250}
	fs.Var(instances, "instances", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return deploy.ChangeArgs{}, err
	}
	if len(pos) != 1 {
		return deploy.ChangeArgs{}, reply.Errorf("scale takes one app name, like `/do scale web --instances 3`")
	}
	if err := validName(pos[0]); err != nil {
		return deploy.ChangeArgs{}, err
	}
	args := deploy.ChangeArgs{Name: pos[0], Sizing: deploy.Sizing{Size: strings.TrimSpace(*size), Instances: instances.Value},
		DayTwo: deploy.DayTwo{Component: strings.TrimSpace(*component)}, Reason: strings.TrimSpace(*reason)}
	if args.Size == "" && args.Instances == 0 {
		return deploy.ChangeArgs{}, reply.Errorf("scale needs --instances N or --size SLUG (or both), like `/do scale %s --instances 2`; `/do sizes` lists the sizes", args.Name)
	}
	return args, nil
}

// ParseRestart reads restart NAME [--component C] [--reason TEXT].
func ParseRestart(words []string) (deploy.ChangeArgs, error) {
	fs := cmdline.NewFlagSet("restart")
	component := fs.String("component", "", "")
	reason := fs.String("reason", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return deploy.ChangeArgs{}, err
	}
	if len(pos) != 1 {
		return deploy.ChangeArgs{}, reply.Errorf("restart takes one app name, like `/do restart web`")
	}
	if err := validName(pos[0]); err != nil {
		return deploy.ChangeArgs{}, err
	}
	return deploy.ChangeArgs{Name: pos[0], DayTwo: deploy.DayTwo{Component: strings.TrimSpace(*component)}, Reason: strings.TrimSpace(*reason)}, nil
}

// ParseRedeploy reads redeploy NAME with its optional new image, variables,
// sizing, dry run, reason and break-glass reason.
func ParseRedeploy(words []string) (deploy.ChangeArgs, error) {
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
		return deploy.ChangeArgs{}, err
	}
	if len(pos) != 1 {
		return deploy.ChangeArgs{}, reply.Errorf("redeploy takes one app name, like `/do redeploy web --image nginx:1.27`")
	}
	if err := validName(pos[0]); err != nil {
		return deploy.ChangeArgs{}, err
	}
	args := deploy.ChangeArgs{Name: pos[0], Image: cmdline.TrimScheme(strings.TrimSpace(*image)), DryRun: *dryRun, Reason: strings.TrimSpace(*reason),
		BreakGlass: glass.Value, Variables: deploy.Variables{Env: env.Pairs, SecretKeys: env.SecretKeys()}, Sizing: deploy.Sizing{Size: strings.TrimSpace(*size), Instances: instances.Value}}
	for _, kv := range env.Pairs {
		args.EnvKeys = append(args.EnvKeys, kv[0])
	}
	if args.Image != "" {
		if _, err := dobot.ParseImageRef(args.Image); err != nil {
			return deploy.ChangeArgs{}, reply.FromDomain(err)
		}
	}
	return args, nil
}

// ParseRollback reads rollback NAME [DEPLOYMENT] [--reason TEXT]
// [--break-glass REASON].
func ParseRollback(words []string) (deploy.ChangeArgs, error) {
	fs := cmdline.NewFlagSet("rollback")
	reason := fs.String("reason", "", "")
	glass := cmdline.BreakGlass(fs)
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return deploy.ChangeArgs{}, err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return deploy.ChangeArgs{}, reply.Errorf("rollback takes an app name and optionally a deployment id, like `/do rollback web`")
	}
	if err := validName(pos[0]); err != nil {
		return deploy.ChangeArgs{}, err
	}
	args := deploy.ChangeArgs{Name: pos[0], Reason: strings.TrimSpace(*reason), BreakGlass: glass.Value}
	if len(pos) == 2 {
		if !dobot.IsDeploymentID(pos[1]) {
			return deploy.ChangeArgs{}, reply.Errorf("%q is not a deployment id; `/do status %s` shows them", pos[1], pos[0])
		}
		args.DeploymentID = pos[1]
	}
	return args, nil
}

// ParseTeardown reads teardown NAME [--reason TEXT] [--break-glass REASON].
func ParseTeardown(words []string) (deploy.TeardownArgs, error) {
	fs := cmdline.NewFlagSet("teardown")
	reason := fs.String("reason", "", "")
	glass := cmdline.BreakGlass(fs)
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return deploy.TeardownArgs{}, err
	}
	if len(pos) != 1 {
		return deploy.TeardownArgs{}, reply.Errorf("teardown takes exactly one app name, like `/do teardown web --reason \"done testing\"`")
	}
	if err := validName(pos[0]); err != nil {
		return deploy.TeardownArgs{}, err
	}
	return deploy.TeardownArgs{Name: pos[0], Reason: strings.TrimSpace(*reason), BreakGlass: glass.Value}, nil
}
