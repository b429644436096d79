package commands

import (
	"strings"

	"dobot/plan"
)

var teardownCommand = &Command{
	Name:        "teardown",
	Usage:       "teardown NAME [--reason TEXT] [--break-glass REASON]",
	Description: "Delete an app the bot launched.",
	Examples:    []string{"teardown web"},
	Action:      ActionTeardown,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("teardown")
		reason := fs.String("reason", "", "")
		glass := breakGlassFlag(fs)
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("teardown takes exactly one app name, like `/do teardown web --reason \"done testing\"`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		return TeardownArgs{Name: pos[0], Reason: strings.TrimSpace(*reason), BreakGlass: glass.value}, nil
	},
	Prepare: planWith((*plan.Planner).Teardown),
}
