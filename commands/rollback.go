package commands

import (
	"strings"

	"dobot/cmdline"
	"dobot/plan"
)

var rollbackCommand = &Command{
	Name:        "rollback",
	Usage:       "rollback NAME [DEPLOYMENT] [--break-glass REASON]",
	Description: "Roll an app back to its previous active deployment, or to the one given, after DigitalOcean confirms it can.",
	Examples:    []string{"rollback web", "rollback web 3aa4d20e-5527-4c00-b496-601fbd22520a"},
	Action:      ActionRollback,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("rollback")
		reason := fs.String("reason", "", "")
		glass := cmdline.BreakGlass(fs)
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) < 1 || len(pos) > 2 {
			return nil, userErrorf("rollback takes an app name and optionally a deployment id, like `/do rollback web`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := ChangeArgs{Name: pos[0], Reason: strings.TrimSpace(*reason), BreakGlass: glass.Value}
		if len(pos) == 2 {
			if !deploymentIDPattern.MatchString(pos[1]) {
				return nil, userErrorf("%q is not a deployment id; `/do status %s` shows them", pos[1], pos[0])
			}
			args.DeploymentID = pos[1]
		}
		return args, nil
	},
	Prepare: planWith((*plan.Planner).Rollback),
}
