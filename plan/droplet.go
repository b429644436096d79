package plan

import (
	"context"
	"encoding/json"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/reply"
)

// defaultDropletSize is the size of a --droplet launch without --size.
const defaultDropletSize = "s-1vcpu-1gb"

// prepareDropletLaunch prices and checks a --droplet launch, and picks the
// droplet's image.
func (b *Planner) prepareDropletLaunch(ctx context.Context, args *LaunchArgs) error {
	for _, kv := range args.Env {
		if strings.ContainsAny(kv[1], "\r\n") {
			return userErrorf("--env %s has a line break in its value; a droplet's environment file holds one line per variable. Nothing was created.", kv[0])
		}
	}
	if args.Size == "" {
		args.Size = defaultDropletSize
	}
	cost, err := b.DropletCost(ctx, args.Size)
	if err != nil {
		return err
	}
	args.MonthlyCents = cost
	args.Check = args.Check.ForDroplet()
	slug, note, err := docloud.DropletImage(ctx, b.cloud.Images, b.cfg.DropletImage)
	if err != nil {
		return reply.FromDomain(err)
	}
	args.DropletImage = slug
	args.Notes = append(args.Notes, note)
	if args.Ref.Host == dobot.HostDOCR {
		args.Notes = append(args.Notes, "the droplet pulls the image with read-only registry credentials that expire within the hour; they are kept only in its user data")
	}
	return nil
}

// DropletAction plans a reboot, power-off or power-on of a droplet the bot
// manages.
func (b *Planner) DropletAction(ctx context.Context, args DropletActionArgs) (*Plan, error) {
	managed, err := b.ManagedApp(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if managed.Kind != deploy.KindDroplet {
		return nil, userErrorf("%s is an App Platform app, not a droplet; try `/do redeploy %s`.", args.Name, args.Name)
	}
	if err := b.RefuseIfGone(ctx, managed); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(args)
	return &Plan{
		Op:      dobot.Operation{Action: deploy.ActionDroplet, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: strings.ReplaceAll(args.Type, "_", " ") + " droplet " + args.Name,
		Fields:  []chat.Field{{Label: "Droplet", Value: args.Name}, {Label: "Action", Value: strings.ReplaceAll(args.Type, "_", " ")}, {Label: "Droplet id", Value: "`" + managed.ResourceID + "`"}},
	}, nil
}
