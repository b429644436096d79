package commands

import (
	"context"
	"fmt"

	"github.com/digitalocean/godo"

	"dobot/docloud"
)

// A redeploy may change the size or number of an app's instances: the
// only change that changes what the app costs, so the one a policy's
// --approval-above weighs.

// appShape is an app's instance size and count, from its spec's first
// service ("" is App Platform's default size).
func appShape(spec *godo.AppSpec) (size string, instances int) {
	instances = 1
	if spec == nil || len(spec.Services) == 0 || spec.Services[0] == nil {
		return "", instances
	}
	svc := spec.Services[0]
	if svc.InstanceCount > 0 {
		instances = int(svc.InstanceCount)
	}
	return svc.InstanceSizeSlug, instances
}

// resize sets args.Size and args.Instances on every service of base (a
// copy), checks the size against App Platform's sizes, and prices the
// result. It returns the spec to send, the card's fields and the new
// monthly price.
func (b *Bot) resize(ctx context.Context, base *godo.AppSpec, args ChangeArgs) (*godo.AppSpec, []Field, int64, error) {
	spec := docloud.CopySpec(base)
	if spec == nil || len(spec.Services) == 0 {
		return nil, nil, 0, userErrorf("%s has no service to resize; nothing was changed.", args.Name)
	}
	oldSize, oldInstances := appShape(base)
	size, instances := oldSize, oldInstances
	if args.Size != "" {
		size = args.Size
	}
	if args.Instances > 0 {
		instances = args.Instances
	}
	note, err := b.checkAppSize(ctx, size, instances)
	if err != nil {
		return nil, nil, 0, err
	}
	cents, err := b.appCost(ctx, size, instances)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, svc := range spec.Services {
		if svc == nil {
			continue
		}
		if args.Size != "" {
			svc.InstanceSizeSlug = args.Size
		}
		if args.Instances > 0 {
			svc.InstanceCount = int64(args.Instances)
		}
	}
	fields := []Field{{Label: "Size", Value: fmt.Sprintf("%s × %d (was %s × %d)", sizeName(size), instances, sizeName(oldSize), oldInstances)},
		{Label: "Cost", Value: money(cents) + "/month"}}
	if note != "" {
		fields = append(fields, Field{Label: "Note", Value: note})
	}
	return spec, fields, cents, nil
}

// sizeName is a size slug as a card shows it.
func sizeName(slug string) string {
	if slug == "" {
		return "App Platform default"
	}
	return slug
}

// recordShape stores the size, count and price a resizing redeploy sent,
// so list and the cost limits see what the app now costs.
func (b *Bot) recordShape(ctx context.Context, args ChangeArgs) {
	if args.Size == "" && args.Instances == 0 {
		return
	}
	app, err := b.store.App(ctx, args.Name)
	if err != nil {
		b.log.Error("record new size", "app", args.Name, "err", err)
		return
	}
	size, instances := appShape(args.Spec)
	app.Size, app.Instances = size, instances
	if args.MonthlyCents > 0 {
		app.MonthlyCents = args.MonthlyCents
	}
	if err := b.store.PutApp(ctx, app); err != nil {
		b.log.Error("record new size", "app", args.Name, "err", err)
	}
}

// shapeFields are the size and cost a resizing redeploy's card shows.
func shapeFields(args ChangeArgs) []Field {
	if args.Size == "" && args.Instances == 0 {
		return nil
	}
	size, instances := appShape(args.Spec)
	fields := []Field{{Label: "Size", Value: fmt.Sprintf("%s × %d", sizeName(size), instances)}}
	if args.MonthlyCents > 0 {
		fields = append(fields, Field{Label: "Cost", Value: money(args.MonthlyCents) + "/month"})
	}
	return fields
}

// planResize resizes args.Spec (or current, when no other change made one)
// when args ask for a size or count, and returns what the app will cost:
// the new price, or now's when nothing is resized.
func (b *Bot) planResize(ctx context.Context, current *godo.AppSpec, args *ChangeArgs, now int64) (int64, []Field, error) {
	if args.Size == "" && args.Instances == 0 {
		return now, nil, nil
	}
	base := args.Spec
	if base == nil {
		base = current
	}
	spec, fields, price, err := b.resize(ctx, base, *args)
	if err != nil {
		return 0, nil, err
	}
	args.Spec, args.MonthlyCents = spec, price
	return price, fields, nil
}
