package plan

import (
	"context"
	"fmt"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
)

// A redeploy may change the size or number of an app's instances: the
// only change that changes what the app costs, so the one a policy's
// --approval-above weighs.

// resize sets args.Size and args.Instances on every service of base (a
// copy), checks the size against App Platform's sizes, and prices the
// result. It returns the spec to send, the card's fields and the new
// monthly price.
func (b *Planner) resize(ctx context.Context, base *godo.AppSpec, args ChangeArgs) (*godo.AppSpec, []chat.Field, int64, error) {
	spec := docloud.CopySpec(base)
	if spec == nil || len(spec.Services) == 0 {
		return nil, nil, 0, userErrorf("%s has no service to resize; nothing was changed.", args.Name)
	}
	oldSize, oldInstances := deploy.AppShape(base)
	size, instances := oldSize, oldInstances
	if args.Size != "" {
		size = args.Size
	}
	if args.Instances > 0 {
		instances = args.Instances
	}
	note, err := b.CheckAppSize(ctx, size, instances)
	if err != nil {
		return nil, nil, 0, err
	}
	cents, err := b.AppCost(ctx, size, instances)
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
	fields := []chat.Field{{Label: "Size", Value: fmt.Sprintf("%s × %d (was %s × %d)", deploy.SizeName(size), instances, deploy.SizeName(oldSize), oldInstances)},
		{Label: "Cost", Value: deploy.Money(cents) + "/month"}}
	if note != "" {
		fields = append(fields, chat.Field{Label: "Note", Value: note})
	}
	return spec, fields, cents, nil
}

// PlanResize resizes args.Spec (or current, when no other change made one)
// when args ask for a size or count, and returns what the app will cost:
// the new price, or now's when nothing is resized.
func (b *Planner) PlanResize(ctx context.Context, current *godo.AppSpec, args *ChangeArgs, now int64) (int64, []chat.Field, error) {
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
