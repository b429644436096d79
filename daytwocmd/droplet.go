package daytwocmd

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/ops"
	"dobot/plan"
	"dobot/reply"
)

// NeedsAction is the refusal of a bare droplet command, which names no
// action.
func NeedsAction() error {
	return reply.Errorf("droplet needs an action: `/do droplet reboot NAME`, `/do droplet power-off NAME` or `/do droplet power-on NAME`")
}

// ParseDropletAction returns the parser of droplet WORD NAME [--reason
// TEXT], whose action is apiType (reboot, power_off or power_on).
func ParseDropletAction(word, apiType string) func([]string) (deploy.DropletActionArgs, error) {
	return func(words []string) (deploy.DropletActionArgs, error) {
		fs := cmdline.NewFlagSet("droplet " + word)
		reason := fs.String("reason", "", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return deploy.DropletActionArgs{}, err
		}
		if len(pos) != 1 {
			return deploy.DropletActionArgs{}, reply.Errorf("droplet %s takes one droplet name, like `/do droplet %s build-box`", word, word)
		}
		if err := validName(pos[0]); err != nil {
			return deploy.DropletActionArgs{}, err
		}
		return deploy.DropletActionArgs{Name: pos[0], Type: apiType, Reason: strings.TrimSpace(*reason)}, nil
	}
}

// DropletGetter reads one droplet: godo.DropletsService's Get.
type DropletGetter interface {
	Get(ctx context.Context, id int) (*godo.Droplet, *godo.Response, error)
}

// DropletStatus describes a managed droplet as DigitalOcean has it now. A
// droplet deleted outside the bot is plan.GoneError.
func DropletStatus(ctx context.Context, droplets DropletGetter, managed dobot.App) (chat.Message, error) {
	id, _ := strconv.Atoi(managed.ResourceID)
	d, _, err := droplets.Get(ctx, id)
	if docloud.IsNotFound(err) {
		return chat.Message{}, plan.GoneError(managed)
	}
	if err != nil {
		return chat.Message{}, fmt.Errorf("get droplet %d: %w", id, err)
	}
	ip, _ := d.PublicIPv4()
	fields := []chat.Field{{Label: "Droplet", Value: managed.Name}, {Label: "Status", Value: deploy.PhaseName(docloud.DropletPhase(d.Status))}, {Label: "Image", Value: managed.Image},
		{Label: "Region", Value: managed.Region}, {Label: "Size", Value: d.SizeSlug}, {Label: "Droplet id", Value: "`" + managed.ResourceID + "`"}}
	if ip != "" {
		fields = append(fields, chat.Field{Label: "Address", Value: deploy.DropletURL(ip)})
	}
	fields = append(fields, chat.Field{Label: "Links", Value: deploy.LinksText(deploy.KindDroplet, managed.ResourceID, deploy.DropletURL(ip))})
	return chat.Message{
		Text:   fmt.Sprintf("%s (droplet): %s %s", managed.Name, d.Status, ip),
		Title:  "Status of " + managed.Name,
		Fields: fields,
		Footer: fmt.Sprintf("Launched by %s on %s", chat.Mention(managed.Owner), managed.CreatedAt.UTC().Format(ops.TimeFormat)),
	}, nil
}
