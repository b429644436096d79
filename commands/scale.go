package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/daytwo"
)

var scaleCommand = &Command{
	Name:        "scale",
	Usage:       "scale NAME [--instances N] [--size SLUG] [--component C] [--reason TEXT]",
	Description: "Change how many instances of a component run, or their size. The card shows the plan and the monthly cost before and after; the same size rules as launch apply. Progress goes to a thread.",
	Examples:    []string{"scale web --instances 3", "scale web --size apps-s-1vcpu-1gb", "scale shop --component worker --instances 2"},
	Action:      ActionScale,
	Parse:       parseScale,
	Prepare:     prepareScale,
}

func parseScale(words []string, _ Config) (any, error) {
	fs := newFlagSet("scale")
	size := fs.String("size", "", "")
	component := fs.String("component", "", "")
	reason := fs.String("reason", "", "")
	instances := &intFlag{name: "instances", min: 1, max: 250}
	fs.Var(instances, "instances", "")
	pos, err := parseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, userErrorf("scale takes one app name, like `/do scale web --instances 3`")
	}
	if err := ValidAppName(pos[0]); err != nil {
		return nil, err
	}
	args := ChangeArgs{Name: pos[0], Size: strings.TrimSpace(*size), Instances: instances.value,
		DayTwo: DayTwo{Component: strings.TrimSpace(*component)}, Reason: strings.TrimSpace(*reason)}
	if args.Size == "" && args.Instances == 0 {
		return nil, userErrorf("scale needs --instances N or --size SLUG (or both), like `/do scale %s --instances 2`; `/do sizes` lists the sizes", args.Name)
	}
	return args, nil
}

func prepareScale(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[ChangeArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, app, err := b.dayTwoTarget(ctx, "scale", args.Name)
	if err != nil {
		return nil, err
	}
	s, err := daytwo.PlanScale(ctx, b.priceCache(), app.Spec, daytwo.ScaleRequest{Component: args.Component, Instances: args.Instances, Size: args.Size})
	if err != nil {
		return nil, scaleError(err, args)
	}
	args.Spec, args.Component = s.Spec, s.Component
	fields := []Field{{Label: "App", Value: args.Name}, {Label: "Component", Value: Escape(s.Component)},
		{Label: "Size", Value: fmt.Sprintf("%s × %d → %s × %d", s.FromSize, s.FromInstances, s.ToSize, s.ToInstances)},
		{Label: "Cost", Value: fmt.Sprintf("%s/month → %s/month", money(s.BeforeCents), money(s.AfterCents))}}
	if s.Retiring {
		fields = append(fields, Field{Label: "Warning", Value: retiringNote(s.ToSize)})
	}
	return b.prepareSpecChange(ctx, ActionScale, "scale "+args.Name, args, managed, app, fields)
}

// scaleError turns what PlanScale refuses into an answer that says what to
// type instead.
func scaleError(err error, args ChangeArgs) error {
	var ce *daytwo.ComponentError
	if errors.As(err, &ce) {
		return userErrorf("Cannot scale %s: %s; choose with --component. Nothing was changed.", args.Name, Escape(ce.Error()))
	}
	return sizeRuleError(err, args.Size, "Nothing was changed.")
}

// sizeRuleError turns docloud's size-rule errors into answers: an unknown
// size names the sizes there are; a single-instance size names the sizes
// that allow more. nothing ends the answer ("Nothing was created.").
func sizeRuleError(err error, slug, nothing string) error {
	var single *docloud.SingleInstanceError
	if !errors.As(err, &single) {
		return sizeError(err)
	}
	var more []string
	for _, s := range single.Allowing {
		more = append(more, fmt.Sprintf("%s (%s/month)", s.Slug, money(docloud.Cents(s.USDPerMonth))))
	}
	which := "size " + single.Slug
	if slug == "" {
		which = "the default size, " + single.Slug + ","
	}
	return userErrorf("%s runs one instance only, so --instances %d cannot work. Pick a size that allows more with --size: %s. %s",
		which, single.Instances, strings.Join(more, ", "), nothing)
}

// retiringNote warns that DigitalOcean intends to retire size slug.
func retiringNote(slug string) string {
	return fmt.Sprintf("%s DigitalOcean intends to retire size %s; it runs today, but pick another (`/do sizes`) for anything that should last.", chat.IconWarning, slug)
}
