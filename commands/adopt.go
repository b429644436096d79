package commands

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/docloud"
)

// AdoptArgs are adopt's parsed arguments.
type AdoptArgs struct {
	Name    string
	Droplet bool
}

func (a AdoptArgs) Target() string { return a.Name }

var adoptCommand = &Command{
	Name:        "adopt",
	Usage:       "adopt NAME [--droplet]",
	Description: "Take an app (or droplet) the bot did not create under its management, so status, teardown and the rest work on it.",
	Examples:    []string{"adopt legacy-api", "adopt build-box --droplet"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("adopt")
		droplet := fs.Bool("droplet", false, "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("adopt takes one name, like `/do adopt legacy-api`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		return AdoptArgs{Name: pos[0], Droplet: *droplet}, nil
	},
	Run: runAdopt,
}

func runAdopt(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[AdoptArgs](inv)
	if err != nil {
		return err
	}
	if existing, err := b.store.App(ctx, args.Name); err == nil {
		return userErrorf("the bot already manages %s (owner %s).", args.Name, Markup(chat.Mention(existing.Owner)))
	} else if !errors.Is(err, dobot.ErrNotFound) {
		return err
	}
	rec := dobot.App{Name: args.Name, Owner: inv.Req.UserID, Channel: inv.Req.ChannelID, CreatedAt: b.now(), Adopted: true}
	if args.Droplet {
		d, err := b.plan.DropletByName(ctx, args.Name)
		if err != nil {
			return err
		}
		rec.Kind, rec.ResourceID, rec.Region, rec.Size = kindDroplet, strconv.Itoa(d.ID), d.Region.Slug, d.SizeSlug
		if d.Image != nil {
			rec.Image = d.Image.Slug
		}
		if d.Size != nil {
			rec.MonthlyCents = int64(math.Round(d.Size.PriceMonthly * 100))
		}
	} else {
		app, err := b.plan.AppByName(ctx, args.Name)
		if err != nil {
			return err
		}
		rec.Kind, rec.ResourceID = kindApp, app.ID
		if app.Region != nil {
			rec.Region = app.Region.Slug
		}
		if app.Spec != nil {
			for _, svc := range app.Spec.Services {
				if svc.Image != nil && rec.Image == "" {
					rec.Image = docloud.ImageText(svc.Image)
				}
				if c, err := b.plan.AppCost(ctx, svc.InstanceSizeSlug, int(svc.InstanceCount)); err == nil {
					rec.MonthlyCents += c
				}
			}
		}
	}
	if err := b.store.PutApp(ctx, rec); err != nil {
		return fmt.Errorf("adopt %s: %w", args.Name, err)
	}
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf(chat.IconHandover+" The bot now manages %s (%s id `%s`), owned by %s.", rec.Name, rec.Kind, rec.ResourceID, chat.Mention(rec.Owner))))
	return nil
}
