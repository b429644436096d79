package commands

import (
	"strings"

	"dobot/cmdline"
	"dobot/plan"
)

var teardownCommand = &Command{
	Name:        "teardown",
	Usage:       "teardown NAME [--reason TEXT] [--break-glass REASON]",
	Description: "Delete an app the bot launched.",
	Examples:    []string{"teardown web"},
	Action:      ActionTeardown,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("teardown")
		reason := fs.String("reason", "", "")
		glass := cmdline.BreakGlass(fs)
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("teardown takes exactly one app name, like `/do teardown web --reason \"done testing\"`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		return TeardownArgs{Name: pos[0], Reason: strings.TrimSpace(*reason), BreakGlass: glass.Value}, nil
	},
	Prepare: planWith((*plan.Planner).Teardown),
}
