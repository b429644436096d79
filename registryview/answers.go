package registryview

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/reply"
	"dobot/sizeview"
)

// Picker picks the registry a command names and lists a repository's tags
// (plan.Planner's), with refusals as user errors.
type Picker interface {
	PickRegistry(ctx context.Context, name string) (*godo.Registry, error)
	RepoTags(ctx context.Context, registry, repo string) ([]*godo.RepositoryTag, error)
}

// Registry is the part of godo's single-registry API the answers read.
type Registry interface {
	GetSubscription(ctx context.Context) (*godo.RegistrySubscription, *godo.Response, error)
	ListRepositoriesV2(ctx context.Context, registry string, opts *godo.TokenListOptions) ([]*godo.RepositoryV2, *godo.Response, error)
}

// Service answers the read-only registry commands.
type Service struct {
	Plan       Picker
	Registries godo.RegistriesService // the multi-registry API, which lists them all
	Registry   Registry
}

// Show is `/do registry`: the account's registry as a card, or its
// registries as a list when it has several.
func (s *Service) Show(ctx context.Context) (chat.Message, error) {
	regs, err := docloud.Registries(ctx, s.Registries)
	if err != nil {
		return chat.Message{}, err
	}
	if len(regs) == 0 {
		return chat.Message{Text: "This account has no container registry. An admin can create one with `/do registry create NAME`."}, nil
	}
	tier := "unknown"
	if sub, _, err := s.Registry.GetSubscription(ctx); err == nil && sub != nil && sub.Tier != nil {
		tier = sub.Tier.Name
		if sub.Tier.MonthlyPriceInCents > 0 {
			tier += fmt.Sprintf(" (%s/month)", sizeview.Money(int64(sub.Tier.MonthlyPriceInCents)))
		}
	}
	if len(regs) > 1 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "*Container registries* (%s tier)\n", tier)
		for _, r := range regs {
			fmt.Fprintf(&sb, "• `%s` — %s — %s used — registry.digitalocean.com/%s/REPO:TAG\n", r.Name, r.Region, deploy.BytesText(r.StorageUsageBytes), r.Name)
		}
		return chat.Message{Text: sb.String()}, nil
	}
	reg := regs[0]
	return chat.Message{
		Text:  fmt.Sprintf("Registry %s in %s, %s tier, %s used", reply.Escape(reg.Name), reply.Escape(reg.Region), reply.Escape(tier), deploy.BytesText(reg.StorageUsageBytes)),
		Title: chat.IconPackage + " Container registry " + reg.Name,
		Fields: []chat.Field{{Label: "Name", Value: reply.Escape(reg.Name)}, {Label: "Region", Value: reply.Escape(reg.Region)},
			{Label: "Tier", Value: reply.Escape(tier)}, {Label: "Storage used", Value: deploy.BytesText(reg.StorageUsageBytes)}},
		Footer: "Images deploy as registry.digitalocean.com/" + reg.Name + "/REPO:TAG",
	}, nil
}

// Repos is `/do registry repos` and `/do registry tags`: a registry's
// repositories, or with args.Repo that repository's tags.
func (s *Service) Repos(ctx context.Context, args Args) (chat.Message, error) {
	reg, err := s.Plan.PickRegistry(ctx, args.Name)
	if err != nil {
		return chat.Message{}, err
	}
	if reg == nil {
		return chat.Message{}, reply.Errorf("this account has no container registry.")
	}
	var sb strings.Builder
	if args.Repo != "" {
		tags, err := s.Plan.RepoTags(ctx, reg.Name, args.Repo)
		if err != nil {
			return chat.Message{}, err
		}
		fmt.Fprintf(&sb, "*Tags of %s/%s*\n", reply.Escape(reg.Name), reply.Escape(args.Repo))
		for _, t := range tags {
			fmt.Fprintf(&sb, "• `%s` — %s — %s\n", reply.Escape(t.Tag), deploy.BytesText(t.CompressedSizeBytes), t.UpdatedAt.UTC().Format("2006-01-02 15:04"))
		}
		return chat.Message{Text: sb.String()}, nil
	}
	repos, _, err := s.Registry.ListRepositoriesV2(ctx, reg.Name, &godo.TokenListOptions{PerPage: 100})
	if err != nil {
		return chat.Message{}, fmt.Errorf("list repositories: %w", err)
	}
	if len(repos) == 0 {
		return chat.Message{Text: fmt.Sprintf("Registry %s has no repositories yet.", reply.Escape(reg.Name))}, nil
	}
	fmt.Fprintf(&sb, "*Repositories in %s*\n", reply.Escape(reg.Name))
	for _, r := range repos {
		latest := ""
		if r.LatestManifest != nil && len(r.LatestManifest.Tags) > 0 {
			latest = " — latest " + reply.Escape(strings.Join(r.LatestManifest.Tags, ", "))
		}
		fmt.Fprintf(&sb, "• `%s` — %d tags%s\n", reply.Escape(r.Name), r.TagCount, latest)
	}
	return chat.Message{Text: sb.String()}, nil
}
