package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
)

var teardownCommand = &Command{
	Name:        "teardown",
	Usage:       "teardown NAME [--reason TEXT]",
	Description: "Delete an app the bot launched.",
	Examples:    []string{"teardown web"},
	Action:      ActionTeardown,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("teardown")
		reason := fs.String("reason", "", "")
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
		return TeardownArgs{Name: pos[0], Reason: strings.TrimSpace(*reason)}, nil
	},
	Prepare: prepareTeardown,
}

func prepareTeardown(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[TeardownArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, err := b.managedApp(ctx, args.Name)
	var ue *UserError
	if errors.As(err, &ue) {
		if busy := b.beingLaunched(ctx, args.Name); busy != nil {
			return nil, busy
		}
		// Something by that name the bot did not create is not its to delete.
		return nil, userErrorf("the bot manages no app named %s, so it will not tear it down. If it exists on DigitalOcean but the bot did not create it, an admin can adopt it first with `/do adopt %s`.", args.Name, args.Name)
	}
	if err != nil {
		return nil, err
	}
	args.Kind = managed.Kind
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode teardown args: %w", err)
	}
	deletes, idLabel := "the App Platform app and all its deployments", "App id"
	if managed.Kind == kindDroplet {
		deletes, idLabel = "the droplet and its disk", "Droplet id"
	}
	fields := []Field{{Label: "App", Value: managed.Name}, {Label: "Deletes", Value: deletes},
		{Label: "Image", Value: managed.Image}, {Label: "Region", Value: managed.Region}, {Label: idLabel, Value: "`" + managed.ResourceID + "`"},
		{Label: "Launched by", Value: fmt.Sprintf("%s on %s", chat.Mention(managed.Owner), managed.CreatedAt.UTC().Format("2006-01-02"))}}
	if managed.MonthlyCents > 0 {
		fields = append(fields, Field{Label: "Saves", Value: money(managed.MonthlyCents) + "/month"})
	}
	return &Plan{
		Op:      dobot.Operation{Action: ActionTeardown, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: fmt.Sprintf("tear down %s", args.Name),
		Fields:  fields,
	}, nil
}
