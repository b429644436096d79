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
	Run: told(func(ctx context.Context, b *Bot, _ *Invocation) (Message, error) {
		return b.svc.reads.registry.Show(ctx)
	}),
	Subcommands: []*Command{
		{
			Name:        "registry create",
			Usage:       "registry create NAME [--tier starter|basic|professional] [--region SLUG]",
			Description: "Create the account's container registry (starter tier and DO_REGION unless told otherwise).",
			Examples:    []string{"registry create acme", "registry create acme --tier basic --region ams3"},
			Action:      ActionRegistryCreate,
			Parse:       parsedBy(registryview.ParseCreate),
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
			Parse:       parsedBy(registryview.ParseRepos),
			Run:         runRegistryRepos,
		},
		{
			// What `registry repos REPO` shows, under the name people look for.
			Name:        "registry tags",
			Usage:       "registry tags REPO [--registry NAME]",
			Description: "List one repository's tags (as `registry repos REPO` does).",
			Examples:    []string{"registry tags web", "registry tags web --registry tools"},
			MinRole:     dobot.RoleViewer,
			Parse:       parsedBy(registryview.ParseTags),
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

var runRegistryRepos = replyWith(func(ctx context.Context, b *Bot, _ *Invocation, a deploy.RegistryArgs) (Message, error) {
	return b.svc.reads.registry.Repos(ctx, a)
})
