package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
)

// defaultDropletSize is the size of a --droplet launch without --size.
const defaultDropletSize = "s-1vcpu-1gb"

// prepareDropletLaunch prices and checks a --droplet launch, and picks the
// droplet's image.
func (b *Bot) prepareDropletLaunch(ctx context.Context, args *LaunchArgs) error {
	for _, kv := range args.Env {
		if strings.ContainsAny(kv[1], "\r\n") {
			return userErrorf("--env %s has a line break in its value; a droplet's environment file holds one line per variable. Nothing was created.", kv[0])
		}
	}
	if args.Size == "" {
		args.Size = defaultDropletSize
	}
	cost, err := b.dropletCost(ctx, args.Size)
	if err != nil {
		return err
	}
	args.MonthlyCents = cost
	slug, note, err := docloud.DropletImage(ctx, b.cloud.Images, b.cfg.DropletImage)
	if err != nil {
		return fromDomain(err)
	}
	args.DropletImage = slug
	args.Notes = append(args.Notes, note)
	if args.Ref.Host == dobot.HostDOCR {
		args.Notes = append(args.Notes, "the droplet pulls the image with read-only registry credentials that expire within the hour; they are kept only in its user data")
	}
	return nil
}

// dropletStatus describes a managed droplet.
func (b *Bot) dropletStatus(ctx context.Context, managed dobot.App) (Message, error) {
	id, _ := strconv.Atoi(managed.ResourceID)
	d, _, err := b.cloud.Droplets.Get(ctx, id)
	if docloud.IsNotFound(err) {
		return Message{}, userErrorf("%s is recorded as droplet %s, but DigitalOcean no longer has it; it was deleted outside the bot.", managed.Name, managed.ResourceID)
	}
	if err != nil {
		return Message{}, fmt.Errorf("get droplet %d: %w", id, err)
	}
	ip, _ := d.PublicIPv4()
	fields := []Field{{Label: "Droplet", Value: managed.Name}, {Label: "Status", Value: deploy.PhaseName(docloud.DropletPhase(d.Status))}, {Label: "Image", Value: managed.Image},
		{Label: "Region", Value: managed.Region}, {Label: "Size", Value: d.SizeSlug}, {Label: "Droplet id", Value: "`" + managed.ResourceID + "`"}}
	if ip != "" {
		fields = append(fields, Field{Label: "Address", Value: deploy.DropletURL(ip)})
	}
	fields = append(fields, Field{Label: "Links", Value: deploy.LinksText(kindDroplet, managed.ResourceID, deploy.DropletURL(ip))})
	return Message{
		Text:   fmt.Sprintf("%s (droplet): %s %s", managed.Name, d.Status, ip),
		Title:  "Status of " + managed.Name,
		Fields: fields,
		Footer: fmt.Sprintf("Launched by %s on %s", chat.Mention(managed.Owner), managed.CreatedAt.UTC().Format(timeFormat)),
	}, nil
}

func dropletActionCommand(word, apiType, what string) *Command {
	return &Command{
		Name:        "droplet " + word,
		Usage:       "droplet " + word + " NAME",
		Description: what + " a droplet the bot manages, and watch the action to completion.",
		Examples:    []string{"droplet " + word + " build-box"},
		Action:      ActionDroplet,
		Parse: func(words []string, _ Config) (any, error) {
			fs := newFlagSet("droplet " + word)
			reason := fs.String("reason", "", "")
			pos, err := parseFlags(fs, words)
			if err != nil {
				return nil, err
			}
			if len(pos) != 1 {
				return nil, userErrorf("droplet %s takes one droplet name, like `/do droplet %s build-box`", word, word)
			}
			if err := ValidAppName(pos[0]); err != nil {
				return nil, err
			}
			return DropletActionArgs{Name: pos[0], Type: apiType, Reason: strings.TrimSpace(*reason)}, nil
		},
		Prepare: prepareDropletAction,
	}
}

var dropletCommand = &Command{
	Name:        "droplet",
	Usage:       "droplet reboot|power-off|power-on NAME",
	Description: "Run an action on a droplet the bot manages.",
	Examples:    []string{"droplet reboot build-box"},
	MinRole:     dobot.RoleDeployer,
	Parse: func([]string, Config) (any, error) {
		return nil, userErrorf("droplet needs an action: `/do droplet reboot NAME`, `/do droplet power-off NAME` or `/do droplet power-on NAME`")
	},
	Run: func(context.Context, *Bot, *Invocation) error { return nil },
	Subcommands: []*Command{
		dropletActionCommand("reboot", "reboot", "Reboot"),
		dropletActionCommand("power-off", "power_off", "Power off"),
		dropletActionCommand("power-on", "power_on", "Power on"),
	},
}

func prepareDropletAction(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[DropletActionArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, err := b.managedApp(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if managed.Kind != kindDroplet {
		return nil, userErrorf("%s is an App Platform app, not a droplet; try `/do redeploy %s`.", args.Name, args.Name)
	}
	raw, _ := json.Marshal(args)
	return &Plan{
		Op:      dobot.Operation{Action: ActionDroplet, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: strings.ReplaceAll(args.Type, "_", " ") + " droplet " + args.Name,
		Fields:  []Field{{Label: "Droplet", Value: args.Name}, {Label: "Action", Value: strings.ReplaceAll(args.Type, "_", " ")}, {Label: "Droplet id", Value: "`" + managed.ResourceID + "`"}},
	}, nil
}
