package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/reply"
)

// Launch plans a launch: the name is free, the image passes its pre-flight
// check, the size exists and is priced, and secret values are sealed.
func (b *Planner) Launch(ctx context.Context, args LaunchArgs) (*Plan, error) {
	existing, err := b.store.App(ctx, args.Name)
	if err == nil {
		return nil, userErrorf("an app named %s already exists (launched by %s on %s). Pick another name, or tear it down first with `/do teardown %s`.",
			args.Name, reply.Markup(chat.Mention(existing.Owner)), existing.CreatedAt.UTC().Format("2006-01-02"), args.Name)
	}
	if !errors.Is(err, dobot.ErrNotFound) {
		return nil, fmt.Errorf("look up app %q: %w", args.Name, err)
	}
	if args.From != nil {
		return b.launchSource(ctx, args)
	}
	if err := b.CheckDOCRRegistry(ctx, args.Ref); err != nil {
		return nil, err
	}
	if args.Check, err = b.Preflight(ctx, args.Ref, args.Port); err != nil {
		return nil, err
	}
	args.Port = args.Check.Port
	if args.Droplet {
		if args.DryRun {
			return nil, userErrorf("--dry-run checks App Platform specs; it does not apply to --droplet launches")
		}
		if err := b.prepareDropletLaunch(ctx, &args); err != nil {
			return nil, err
		}
	} else {
		note, err := b.CheckAppSize(ctx, args.Size, args.Instances)
		if err != nil {
			return nil, err
		}
		if note != "" {
			args.Notes = append(args.Notes, note)
		}
		if args.MonthlyCents, err = b.AppCost(ctx, args.Size, args.Instances); err != nil {
			return nil, err
		}
	}
	for _, note := range []string{portNote(args), costNote(args.MonthlyCents)} {
		if note != "" {
			args.Notes = append(args.Notes, note)
		}
	}
	raw, err := json.Marshal(b.exec.SealLaunch(args))
	if err != nil {
		return nil, fmt.Errorf("encode launch args: %w", err)
	}
	plan := &Plan{
		Op:      dobot.Operation{Action: deploy.ActionLaunch, App: args.Name, Args: string(raw), Reason: args.Reason},
		Summary: fmt.Sprintf("launch %s (%s) in %s", args.Name, args.Image, args.Region),
		Fields:  deploy.LaunchFields(args),
		// For a droplet too: the launch set its price when it prepared it.
		MonthlyCents: args.MonthlyCents,
	}
	if args.DryRun {
		plan.DryRun = func(ctx context.Context) (chat.Message, error) {
			// No credentials: proposing pulls nothing, and the answer
			// echoes the spec.
			return b.ProposeApp(ctx, args.AppSpec(), "", "launch "+args.Name)
		}
	}
	return plan, nil
}

// expensiveCents is the monthly cost from which a launch card warns, so
// that a slip like --instances 100 is seen even where no policy asks for
// approval above a cost.
const expensiveCents = 100_00

// costNote warns on the card of a launch costing expensiveCents a month or
// more, and says how an admin can make such launches need approval.
func costNote(monthlyCents int64) string {
	if monthlyCents < expensiveCents {
		return ""
	}
	return fmt.Sprintf("%s This costs %s/month. An admin can make launches above a cost need approval: `/do policy launch --approval-above 100`.",
		chat.IconWarning, deploy.Money(monthlyCents))
}
