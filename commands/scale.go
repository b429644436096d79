package commands

import (
	"strings"

	"dobot/cmdline"
	"dobot/deploy"
	"dobot/plan"
)

var scaleCommand = &Command{
	Name:        "scale",
	Usage:       "scale NAME [--instances N] [--size SLUG] [--component C] [--reason TEXT]",
	Description: "Change how many instances of a component run, or their size. The card shows the plan and the monthly cost before and after; the same size rules as launch apply. Progress goes to a thread.",
	Examples:    []string{"scale web --instances 3", "scale web --size apps-s-1vcpu-1gb", "scale shop --component worker --instances 2"},
	Action:      ActionScale,
	Parse:       parseScale,
	Prepare:     planWith((*plan.Planner).Scale),
}

func parseScale(words []string, _ Config) (any, error) {
	fs := cmdline.NewFlagSet("scale")
	size := fs.String("size", "", "")
	component := fs.String("component", "", "")
	reason := fs.String("reason", "", "")
	instances := &cmdline.IntFlag{Name: "instances", Min: 1, Max: 250}
	fs.Var(instances, "instances", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, userErrorf("scale takes one app name, like `/do scale web --instances 3`")
	}
	if err := ValidAppName(pos[0]); err != nil {
		return nil, err
	}
	args := ChangeArgs{Name: pos[0], Sizing: deploy.Sizing{Size: strings.TrimSpace(*size), Instances: instances.Value},
		DayTwo: DayTwo{Component: strings.TrimSpace(*component)}, Reason: strings.TrimSpace(*reason)}
	if args.Size == "" && args.Instances == 0 {
		return nil, userErrorf("scale needs --instances N or --size SLUG (or both), like `/do scale %s --instances 2`; `/do sizes` lists the sizes", args.Name)
	}
	return args, nil
}
