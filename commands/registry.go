package commands

import (
	"context"

	"dobot"
	"dobot/deploy"
	"dobot/plan"
	"dobot/registryview"
)

var registryCommand = &Command{
	Name:        "registry",
	Usage:       "registry",
	Description: "Show the container registry: name, region, tier and storage used.",
	Examples:    []string{"registry"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("registry"),
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		m, err := b.svc.reads.registry.Show(ctx)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
	Subcommands: []*Command{
		{
			Name:        "registry create",
			Usage:       "registry create NAME [--tier starter|basic|professional] [--region SLUG]",
			Description: "Create the account's container registry (starter tier and DO_REGION unless told otherwise).",
			Examples:    []string{"registry create acme", "registry create acme --tier basic --region ams3"},
			Action:      ActionRegistryCreate,
			Parse:       func(words []string, _ Config) (any, error) { return registryview.ParseCreate(words) },
			Prepare:     planWith((*plan.Planner).RegistryCreate),
		},
		{
			Name:        "registry delete",
			Usage:       "registry delete [NAME] [--reason TEXT]",
			Description: "Delete a container registry and every image in it (NAME is needed when the account has several).",
			Examples:    []string{"registry delete --reason 'moving to ghcr'", "registry delete tools"},
			Action:      ActionRegistryDelete,
			Parse:       func(words []string, _ Config) (any, error) { return registryview.ParseTarget("registry delete", words) },
			Prepare:     planWith((*plan.Planner).RegistryDelete),
		},
		{
			Name:        "registry repos",
			Usage:       "registry repos [REPO] [--registry NAME]",
			Description: "List a registry's repositories, or one repository's tags.",
			Examples:    []string{"registry repos", "registry repos web", "registry repos web --registry tools"},
			MinRole:     dobot.RoleViewer,
			Parse:       func(words []string, _ Config) (any, error) { return registryview.ParseRepos(words) },
			Run:         runRegistryRepos,
		},
		{
			// What `registry repos REPO` shows, under the name people look for.
			Name:        "registry tags",
			Usage:       "registry tags REPO [--registry NAME]",
			Description: "List one repository's tags (as `registry repos REPO` does).",
			Examples:    []string{"registry tags web", "registry tags web --registry tools"},
			MinRole:     dobot.RoleViewer,
			Parse:       func(words []string, _ Config) (any, error) { return registryview.ParseTags(words) },
			Run:         runRegistryRepos,
		},
		{
			Name:        "registry gc",
			Usage:       "registry gc [NAME] [--reason TEXT]",
			Description: "Garbage-collect untagged manifests and unreferenced blobs, and watch it to the end. The registry is read-only while it runs.",
			Examples:    []string{"registry gc", "registry gc tools"},
			Action:      ActionRegistryGC,
			Parse:       func(words []string, _ Config) (any, error) { return registryview.ParseTarget("registry gc", words) },
			Prepare:     planWith((*plan.Planner).RegistryGC),
		},
	},
}

func runRegistryRepos(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[deploy.RegistryArgs](inv)
	if err != nil {
		return err
	}
	m, err := b.svc.reads.registry.Repos(ctx, args)
	if err != nil {
		return err
	}
	b.tell(ctx, inv.Req, m)
	return nil
}
