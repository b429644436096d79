package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
)

// PickRegistry is docloud.PickRegistry, with its refusals worded for the
// person.
func (b *Planner) PickRegistry(ctx context.Context, name string) (*godo.Registry, error) {
	reg, err := docloud.PickRegistry(ctx, b.cloud.Registries, name)
	var ce *docloud.RegistryChoiceError
	switch {
	case !errors.As(err, &ce):
		return reg, err
	case name != "" && len(ce.Have) == 0:
		return nil, userErrorf("this account has no container registry called %s; it has none at all.", name)
	case name != "":
		return nil, userErrorf("this account has no container registry called %s; it has %s.", name, docloud.RegistryNames(ce.Have))
	}
	return nil, userErrorf("this account has several container registries (%s): name the one you mean, like `/do registry gc %s`.", docloud.RegistryNames(ce.Have), ce.Have[0].Name)
}

// RegistryCreate plans creating the account's container registry, in an
// offered region and tier.
func (b *Planner) RegistryCreate(ctx context.Context, args RegistryArgs) (*Plan, error) {
	regs, err := docloud.Registries(ctx, b.cloud.Registries)
	if err != nil {
		return nil, err
	}
	for _, r := range regs {
		if r.Name == args.Name {
			return nil, userErrorf("this account already has a registry called %s.", r.Name)
		}
	}
	if len(regs) > 0 {
		args.Another = true
	}
	opts, _, err := b.cloud.Registry.GetOptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("registry options: %w", err)
	}
	offered := opts.AvailableRegions
	if args.Region != "" && !contains(offered, args.Region) {
		return nil, userErrorf("the registry is not offered in %s; it is in %s", args.Region, strings.Join(offered, ", "))
	}
	if args.Region == "" && contains(offered, b.cfg.Region) {
		args.Region = b.cfg.Region
	}
	price := ""
	for _, t := range opts.SubscriptionTiers {
		if t.Slug == args.Tier {
			if !t.Eligible {
				return nil, userErrorf("the %s tier is not available to this account", args.Tier)
			}
			price = deploy.Money(int64(t.MonthlyPriceInCents)) + "/month"
		}
	}
	raw, _ := json.Marshal(args)
	fields := []chat.Field{{Label: "Registry", Value: args.Name}, {Label: "Tier", Value: args.Tier}, {Label: "Region", Value: orDefaultText(args.Region, "DigitalOcean's default")}}
	if price != "" {
		fields = append(fields, chat.Field{Label: "Cost", Value: price})
	}
	return &Plan{Op: dobot.Operation{Action: deploy.ActionRegistryCreate, App: deploy.RegistryTarget, Lock: dobot.RegistryLock, Args: string(raw)},
		Summary: "create registry " + args.Name, Fields: fields}, nil
}

func orDefaultText(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// RegistryDelete plans deleting the account's container registry.
func (b *Planner) RegistryDelete(ctx context.Context, args RegistryArgs) (*Plan, error) {
	reg, err := b.PickRegistry(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, userErrorf("this account has no container registry to delete.")
	}
	args.Name = reg.Name
	raw, _ := json.Marshal(args)
	return &Plan{Op: dobot.Operation{Action: deploy.ActionRegistryDelete, App: deploy.RegistryTarget, Lock: dobot.RegistryLock, Args: string(raw), Reason: args.Reason},
		Summary: "delete registry " + reg.Name,
		Fields:  []chat.Field{{Label: "Registry", Value: reg.Name}, {Label: "Deletes", Value: "the registry and every image in it"}, {Label: "Storage", Value: deploy.BytesText(reg.StorageUsageBytes)}}}, nil
}

// RegistryGC plans a garbage collection of a container registry.
func (b *Planner) RegistryGC(ctx context.Context, args RegistryArgs) (*Plan, error) {
	reg, err := b.PickRegistry(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, userErrorf("this account has no container registry.")
	}
	args.Name = reg.Name
	raw, _ := json.Marshal(args)
	return &Plan{Op: dobot.Operation{Action: deploy.ActionRegistryGC, App: deploy.RegistryTarget, Lock: dobot.RegistryLock, Args: string(raw), Reason: args.Reason},
		Summary: "garbage-collect registry " + reg.Name,
		Fields: []chat.Field{{Label: "Registry", Value: reg.Name}, {Label: "Collects", Value: "untagged manifests and unreferenced blobs"},
			{Label: "Note", Value: "the registry is read-only while garbage collection runs: pushes fail until it ends"}}}, nil
}

// RepoTags lists every tag of a repository, with a user error when the
// repository does not exist.
func (b *Planner) RepoTags(ctx context.Context, registry, repo string) ([]*godo.RepositoryTag, error) {
	tags, err := docloud.RepoTags(ctx, b.cloud.Registry, registry, repo)
	if docloud.IsNotFound(err) {
		return nil, userErrorf("registry %s has no repository %s; `/do registry repos` lists them.", registry, repo)
	}
	return tags, err
}

// CheckDOCRRegistry makes sure a DOCR image is in this account's registry,
// the only one App Platform can pull from. Whether the tag exists is the
// pre-flight check's job: it reads the manifest itself.
func (b *Planner) CheckDOCRRegistry(ctx context.Context, ref dobot.ImageRef) error {
	if ref.Host != dobot.HostDOCR {
		return nil
	}
	// The registry's name comes from the image ref.
	regs, err := docloud.Registries(ctx, b.cloud.Registries)
	if err != nil {
		return err
	}
	var reg *godo.Registry
	for _, r := range regs {
		if r.Name == ref.Namespace {
			reg = r
		}
	}
	switch {
	case len(regs) == 0:
		return userErrorf("%s is in DigitalOcean's registry, but this account has none. Create it with `/do registry create %s` and push the image.", ref, ref.Namespace)
	case reg == nil:
		return userErrorf("%s names registry %s, but this account's registries are %s; DigitalOcean can pull only from the account's own.", ref, ref.Namespace, docloud.RegistryNames(regs))
	}
	return nil
}
