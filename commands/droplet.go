package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/plan"
)

// dropletStatus describes a managed droplet.
func (b *Bot) dropletStatus(ctx context.Context, managed dobot.App) (Message, error) {
	id, _ := strconv.Atoi(managed.ResourceID)
	d, _, err := b.cloud.Droplets.Get(ctx, id)
	if docloud.IsNotFound(err) {
		return Message{}, plan.GoneError(managed)
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
			fs := cmdline.NewFlagSet("droplet " + word)
			reason := fs.String("reason", "", "")
			pos, err := cmdline.ParseFlags(fs, words)
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
		Prepare: planWith((*plan.Planner).DropletAction),
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
