package commands

import (
	"dobot"
	"dobot/cmdline"
)

// registryTagsCommand lists one repository's tags: what `registry repos
// REPO` shows, under the name people look for.
var registryTagsCommand = &Command{
	Name:        "registry tags",
	Usage:       "registry tags REPO [--registry NAME]",
	Description: "List one repository's tags (as `registry repos REPO` does).",
	Examples:    []string{"registry tags web", "registry tags web --registry tools"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("registry tags")
		registry := fs.String("registry", "", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("registry tags takes one repository name, like `/do registry tags web`")
		}
		args := RegistryArgs{Name: *registry, Repo: pos[0]}
		if args.Name != "" && !registryNamePattern.MatchString(args.Name) {
			return nil, userErrorf("bad --registry %q: use the registry's name, as `/do registry` shows it", args.Name)
		}
		if !dobot.IsRepoPath(args.Repo) {
			return nil, userErrorf("%q is not a repository name", args.Repo)
		}
		return args, nil
	},
	Run: runRegistryRepos,
}
