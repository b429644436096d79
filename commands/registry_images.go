package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"
)

func runRegistryRepos(ctx context.Context, b *Bot, inv *Invocation) error {
	args := inv.Args.(RegistryArgs)
	reg, err := b.registryOf(ctx)
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
			fmt.Fprintf(&sb, "• `%s` — %s — %s\n", Escape(t.Tag), bytesText(t.CompressedSizeBytes), t.UpdatedAt.UTC().Format("2006-01-02 15:04"))
		}
	}
	b.tell(ctx, inv.Req, infoMessage(sb.String()))
	return nil
}

// repoTags lists every tag of a repository, with a user error when the
// repository does not exist.
func (b *Bot) repoTags(ctx context.Context, registry, repo string) ([]*godo.RepositoryTag, error) {
	var all []*godo.RepositoryTag
	err := eachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
		tags, resp, err := b.cloud.Registry.ListRepositoryTags(ctx, registry, repo, opt)
		all = append(all, tags...)
		return resp, err
	})
	if isDONotFound(err) {
		return nil, userErrorf("registry %s has no repository %s; `/do registry repos` lists them.", registry, repo)
	}
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", repo, err)
	}
	return all, nil
}

// checkDOCRTag makes sure a DOCR image exists before anything is created
// with it, since App Platform would otherwise fail minutes later.
func (b *Bot) checkDOCRTag(ctx context.Context, ref ImageRef) error {
	if ref.Host != hostDOCR {
		return nil
	}
	reg, err := b.registryOf(ctx)
	if err != nil {
		return err
	}
	if reg == nil {
		return userErrorf("%s is in DigitalOcean's registry, but this account has none. Create it with `/do registry create %s` and push the image.", ref, ref.Namespace)
	}
	if reg.Name != ref.Namespace {
		return userErrorf("%s names registry %s, but this account's registry is %s; App Platform can pull only from the account's own.", ref, ref.Namespace, reg.Name)
	}
	tags, err := b.repoTags(ctx, reg.Name, ref.Repository)
	if err != nil {
		var ue *UserError
		if errors.As(err, &ue) {
			return userErrorf("%s cannot deploy: %s", ref, ue.Msg)
		}
		return err
	}
	var names []string
	for _, t := range tags {
		if (ref.Digest == "" && t.Tag == ref.Tag) || (ref.Digest != "" && t.ManifestDigest == ref.Digest) {
			return nil
		}
		names = append(names, t.Tag)
	}
	if len(names) > 10 {
		names = append(names[:10], "…")
	}
	want := "tag " + ref.Tag
	if ref.Digest != "" {
		want = "digest " + ref.Digest
	}
	return userErrorf("registry.digitalocean.com/%s/%s has no %s. Its tags: %s. Push the image first.", reg.Name, ref.Repository, want, strings.Join(names, ", "))
}
