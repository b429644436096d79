package commands

import (
	"strings"

	"dobot/cmdline"
	"dobot/plan"
)

var restartCommand = &Command{
	Name:        "restart",
	Usage:       "restart NAME [--component C] [--reason TEXT]",
	Description: "Restart an app's components (or one, with --component) without a rebuild: App Platform replaces its instances with the same build. Progress goes to a thread.",
	Examples:    []string{"restart web", "restart shop --component worker"},
	Action:      ActionRestart,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("restart")
		component := fs.String("component", "", "")
		reason := fs.String("reason", "", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("restart takes one app name, like `/do restart web`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		return ChangeArgs{Name: pos[0], DayTwo: DayTwo{Component: strings.TrimSpace(*component)}, Reason: strings.TrimSpace(*reason)}, nil
	},
	Prepare: planWith((*plan.Planner).Restart),
}
