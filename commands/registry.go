package commands

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/plan"
)

var registryNamePattern = regexp.MustCompile(`^[a-z0-9-]{1,63}$`)

var registryCommand = &Command{
	Name:        "registry",
	Usage:       "registry",
	Description: "Show the container registry: name, region, tier and storage used.",
	Examples:    []string{"registry"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("registry"),
	Run:         runRegistryShow,
	Subcommands: []*Command{
		{
			Name:        "registry create",
			Usage:       "registry create NAME [--tier starter|basic|professional] [--region SLUG]",
			Description: "Create the account's container registry (starter tier and DO_REGION unless told otherwise).",
			Examples:    []string{"registry create acme", "registry create acme --tier basic --region ams3"},
			Action:      ActionRegistryCreate,
			Parse:       parseRegistryCreate,
			Prepare:     planWith((*plan.Planner).RegistryCreate),
		},
		{
			Name:        "registry delete",
			Usage:       "registry delete [NAME] [--reason TEXT]",
			Description: "Delete a container registry and every image in it (NAME is needed when the account has several).",
			Examples:    []string{"registry delete --reason 'moving to ghcr'", "registry delete tools"},
			Action:      ActionRegistryDelete,
			Parse:       parseRegistryTarget("registry delete"),
			Prepare:     planWith((*plan.Planner).RegistryDelete),
		},
		{
			Name:        "registry repos",
			Usage:       "registry repos [REPO] [--registry NAME]",
			Description: "List a registry's repositories, or one repository's tags.",
			Examples:    []string{"registry repos", "registry repos web", "registry repos web --registry tools"},
			MinRole:     dobot.RoleViewer,
			Parse: func(words []string, _ Config) (any, error) {
				fs := cmdline.NewFlagSet("registry repos")
				registry := fs.String("registry", "", "")
				pos, err := cmdline.ParseFlags(fs, words)
				if err != nil {
					return nil, err
				}
				if len(pos) > 1 {
					return nil, userErrorf("registry repos takes at most one repository name")
				}
				args := RegistryArgs{Name: *registry}
				if args.Name != "" && !registryNamePattern.MatchString(args.Name) {
					return nil, userErrorf("bad --registry %q: use the registry's name, as `/do registry` shows it", args.Name)
				}
				if len(pos) == 1 {
					args.Repo = pos[0]
					if !dobot.IsRepoPath(args.Repo) {
						return nil, userErrorf("%q is not a repository name", args.Repo)
					}
				}
				return args, nil
			},
			Run: runRegistryRepos,
		},
		registryTagsCommand,
		{
			Name:        "registry gc",
			Usage:       "registry gc [NAME] [--reason TEXT]",
			Description: "Garbage-collect untagged manifests and unreferenced blobs, and watch it to the end. The registry is read-only while it runs.",
			Examples:    []string{"registry gc", "registry gc tools"},
			Action:      ActionRegistryGC,
			Parse:       parseRegistryTarget("registry gc"),
			Prepare:     planWith((*plan.Planner).RegistryGC),
		},
	},
}

// parseRegistryTarget parses [NAME] [--reason TEXT]: the registry to act
// on, needed when the account has several.
func parseRegistryTarget(name string) func([]string, Config) (any, error) {
	return func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet(name)
		reason := fs.String("reason", "", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) > 1 {
			return nil, userErrorf("%s takes at most one registry name, and --reason; see `/do help %s`", name, name)
		}
		args := RegistryArgs{Reason: strings.TrimSpace(*reason)}
		if len(pos) == 1 {
			if !registryNamePattern.MatchString(pos[0]) {
				return nil, userErrorf("bad registry name %q: use the registry's name, as `/do registry` shows it", pos[0])
			}
			args.Name = pos[0]
		}
		return args, nil
	}
}

func parseRegistryCreate(words []string, cfg Config) (any, error) {
	fs := cmdline.NewFlagSet("registry create")
	tier := fs.String("tier", "starter", "")
	region := fs.String("region", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, userErrorf("registry create takes one name, like `/do registry create acme`")
	}
	if !registryNamePattern.MatchString(pos[0]) {
		return nil, userErrorf("bad registry name %q: use up to 63 lowercase letters, digits and dashes", pos[0])
	}
	switch *tier {
	case "starter", "basic", "professional":
	default:
		return nil, userErrorf("--tier takes starter, basic or professional, not %q", *tier)
	}
	if *region != "" && !dobot.IsRegionSlug(*region) {
		return nil, userErrorf("bad --region %q: use a region slug like nyc3 or ams3", *region)
	}
	return RegistryArgs{Name: pos[0], Tier: *tier, Region: *region}, nil
}

func runRegistryShow(ctx context.Context, b *Bot, inv *Invocation) error {
	regs, err := docloud.Registries(ctx, b.cloud.Registries)
	if err != nil {
		return err
	}
	if len(regs) == 0 {
		b.tell(ctx, inv.Req, infoMessage("This account has no container registry. An admin can create one with `/do registry create NAME`."))
		return nil
	}
	tier := "unknown"
	if sub, _, err := b.cloud.Registry.GetSubscription(ctx); err == nil && sub != nil && sub.Tier != nil {
		tier = sub.Tier.Name
		if sub.Tier.MonthlyPriceInCents > 0 {
			tier += fmt.Sprintf(" (%s/month)", money(int64(sub.Tier.MonthlyPriceInCents)))
		}
	}
	if len(regs) > 1 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "*Container registries* (%s tier)\n", tier)
		for _, r := range regs {
			fmt.Fprintf(&sb, "• `%s` — %s — %s used — registry.digitalocean.com/%s/REPO:TAG\n", r.Name, r.Region, deploy.BytesText(r.StorageUsageBytes), r.Name)
		}
		b.tell(ctx, inv.Req, infoMessage(sb.String()))
		return nil
	}
	reg := regs[0]
	b.tell(ctx, inv.Req, Message{
		Text:   fmt.Sprintf("Registry %s in %s, %s tier, %s used", Escape(reg.Name), Escape(reg.Region), Escape(tier), deploy.BytesText(reg.StorageUsageBytes)),
		Title:  chat.IconPackage + " Container registry " + reg.Name,
		Fields: []Field{{Label: "Name", Value: Escape(reg.Name)}, {Label: "Region", Value: Escape(reg.Region)}, {Label: "Tier", Value: Escape(tier)}, {Label: "Storage used", Value: deploy.BytesText(reg.StorageUsageBytes)}},
		Footer: "Images deploy as registry.digitalocean.com/" + reg.Name + "/REPO:TAG",
	})
	return nil
}
