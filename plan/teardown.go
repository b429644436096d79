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

// Teardown plans deleting an app or droplet the bot manages and is not
// still launching.
func (b *Planner) Teardown(ctx context.Context, args TeardownArgs) (*Plan, error) {
	managed, err := b.ManagedApp(ctx, args.Name)
	var ue *reply.UserError
	if errors.As(err, &ue) {
		if busy := b.BeingLaunched(ctx, args.Name); busy != nil {
			return nil, busy
		}
		// Something by that name the bot did not create is not its to delete.
		return nil, userErrorf("the bot manages no app named %s, so it will not tear it down. If it exists on DigitalOcean but the bot did not create it, an admin can adopt it first with `/do adopt %s`.", args.Name, args.Name)
	}
	if err != nil {
		return nil, err
	}
	if err := b.RefuseIfGone(ctx, managed); err != nil {
		return nil, err // no approval asked, no saving claimed
	}
	args.Kind, args.Image, args.Region = managed.Kind, managed.Image, managed.Region
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode teardown args: %w", err)
	}
	deletes, idLabel := "the App Platform app and all its deployments", "App id"
	if managed.Kind == deploy.KindDroplet {
		deletes, idLabel = "the droplet and its disk", "Droplet id"
	}
	fields := []chat.Field{{Label: deploy.KindLabel(managed.Kind), Value: managed.Name}, {Label: "Deletes", Value: deletes},
		{Label: "Image", Value: managed.Image}, {Label: "Region", Value: managed.Region}, {Label: idLabel, Value: "`" + managed.ResourceID + "`"},
		{Label: "Launched by", Value: fmt.Sprintf("%s on %s", chat.Mention(managed.Owner), managed.CreatedAt.UTC().Format("2006-01-02"))}}
	if managed.MonthlyCents > 0 {
		fields = append(fields, chat.Field{Label: "Saves", Value: deploy.Money(managed.MonthlyCents) + "/month"})
	}
	return &Plan{
		Op:      dobot.Operation{Action: deploy.ActionTeardown, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: fmt.Sprintf("tear down %s", args.Name),
		Fields:  fields,
	}, nil
}
