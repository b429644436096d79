package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/deploy"
	"dobot/docloud"
)

func runRegistryRepos(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[RegistryArgs](inv)
	if err != nil {
		return err
	}
	reg, err := b.pickRegistry(ctx, args.Name)
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
		tags, err := b.repoTags(ctx, reg.Name, args.Repo)
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

// repoTags lists every tag of a repository, with a user error when the
// repository does not exist.
func (b *Bot) repoTags(ctx context.Context, registry, repo string) ([]*godo.RepositoryTag, error) {
	tags, err := docloud.RepoTags(ctx, b.cloud.Registry, registry, repo)
	if docloud.IsNotFound(err) {
		return nil, userErrorf("registry %s has no repository %s; `/do registry repos` lists them.", registry, repo)
	}
	return tags, err
}

// checkDOCRRegistry makes sure a DOCR image is in this account's registry,
// the only one App Platform can pull from. Whether the tag exists is the
// pre-flight check's job: it reads the manifest itself.
func (b *Bot) checkDOCRRegistry(ctx context.Context, ref dobot.ImageRef) error {
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
