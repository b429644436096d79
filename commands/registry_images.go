package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/deploy"
)

func runRegistryRepos(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[RegistryArgs](inv)
	if err != nil {
		return err
	}
	reg, err := b.plan.PickRegistry(ctx, args.Name)
	if err != nil {
		return err
	}
	if reg == nil {
		return userErrorf("this account has no container registry.")
	}
	var sb strings.Builder
	if args.Repo == "" {
		repos, _, err := b.cloud.Registry.ListRepositoriesV2(ctx, reg.Name, &godo.TokenListOptions{PerPage: 100})
		if err != nil {
			return fmt.Errorf("list repositories: %w", err)
		}
		if len(repos) == 0 {
			b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("Registry %s has no repositories yet.", Escape(reg.Name))))
			return nil
		}
		fmt.Fprintf(&sb, "*Repositories in %s*\n", Escape(reg.Name))
		for _, r := range repos {
			latest := ""
			if r.LatestManifest != nil && len(r.LatestManifest.Tags) > 0 {
				latest = " — latest " + Escape(strings.Join(r.LatestManifest.Tags, ", "))
			}
			fmt.Fprintf(&sb, "• `%s` — %d tags%s\n", Escape(r.Name), r.TagCount, latest)
		}
	} else {
		tags, err := b.plan.RepoTags(ctx, reg.Name, args.Repo)
		if err != nil {
			return err
		}
		fmt.Fprintf(&sb, "*Tags of %s/%s*\n", Escape(reg.Name), Escape(args.Repo))
		for _, t := range tags {
			fmt.Fprintf(&sb, "• `%s` — %s — %s\n", Escape(t.Tag), deploy.BytesText(t.CompressedSizeBytes), t.UpdatedAt.UTC().Format("2006-01-02 15:04"))
		}
	}
	b.tell(ctx, inv.Req, infoMessage(sb.String()))
	return nil
}
