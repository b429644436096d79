// Package registryview reads the registry commands' words and answers the
// read-only ones: `registry` (the account's registries, tier and storage)
// and `registry repos` / `registry tags` (repositories and their tags).
// Creating, deleting and collecting garbage run in deploy; this package
// only parses their arguments.
package registryview

import (
	"regexp"
	"strings"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/reply"
)

// Args are the registry commands' arguments (deploy's, which the
// operations store).
type Args = deploy.RegistryArgs

var namePattern = regexp.MustCompile(`^[a-z0-9-]{1,63}$`)

// ParseTarget parses [NAME] [--reason TEXT] for the command called name
// (registry delete, registry gc): the registry to act on, needed when the
// account has several.
func ParseTarget(name string, words []string) (Args, error) {
	fs := cmdline.NewFlagSet(name)
	reason := fs.String("reason", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return Args{}, err
	}
	if len(pos) > 1 {
		return Args{}, reply.Errorf("%s takes at most one registry name, and --reason; see `/do help %s`", name, name)
	}
	args := Args{Reason: strings.TrimSpace(*reason)}
	if len(pos) == 1 {
		if !namePattern.MatchString(pos[0]) {
			return Args{}, reply.Errorf("bad registry name %q: use the registry's name, as `/do registry` shows it", pos[0])
		}
		args.Name = pos[0]
	}
	return args, nil
}

// ParseCreate parses NAME [--tier starter|basic|professional] [--region SLUG].
func ParseCreate(words []string) (Args, error) {
	fs := cmdline.NewFlagSet("registry create")
	tier := fs.String("tier", "starter", "")
	region := fs.String("region", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return Args{}, err
	}
	if len(pos) != 1 {
		return Args{}, reply.Errorf("registry create takes one name, like `/do registry create acme`")
	}
	if !namePattern.MatchString(pos[0]) {
		return Args{}, reply.Errorf("bad registry name %q: use up to 63 lowercase letters, digits and dashes", pos[0])
	}
	switch *tier {
	case "starter", "basic", "professional":
	default:
		return Args{}, reply.Errorf("--tier takes starter, basic or professional, not %q", *tier)
	}
	if *region != "" && !dobot.IsRegionSlug(*region) {
		return Args{}, reply.Errorf("bad --region %q: use a region slug like nyc3 or ams3", *region)
	}
	return Args{Name: pos[0], Tier: *tier, Region: *region}, nil
}

// ParseRepos parses [REPO] [--registry NAME].
func ParseRepos(words []string) (Args, error) {
	fs := cmdline.NewFlagSet("registry repos")
	registry := fs.String("registry", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return Args{}, err
	}
	if len(pos) > 1 {
		return Args{}, reply.Errorf("registry repos takes at most one repository name")
	}
	args := Args{Name: *registry}
	if err := checkRegistryFlag(args.Name); err != nil {
		return Args{}, err
	}
	if len(pos) == 1 {
		args.Repo = pos[0]
		if !dobot.IsRepoPath(args.Repo) {
			return Args{}, reply.Errorf("%q is not a repository name", args.Repo)
		}
	}
	return args, nil
}

// ParseTags parses REPO [--registry NAME].
func ParseTags(words []string) (Args, error) {
	fs := cmdline.NewFlagSet("registry tags")
	registry := fs.String("registry", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return Args{}, err
	}
	if len(pos) != 1 {
		return Args{}, reply.Errorf("registry tags takes one repository name, like `/do registry tags web`")
	}
	args := Args{Name: *registry, Repo: pos[0]}
	if err := checkRegistryFlag(args.Name); err != nil {
		return Args{}, err
	}
	if !dobot.IsRepoPath(args.Repo) {
		return Args{}, reply.Errorf("%q is not a repository name", args.Repo)
	}
	return args, nil
}

// checkRegistryFlag checks a --registry value, which may be empty.
func checkRegistryFlag(name string) error {
	if name != "" && !namePattern.MatchString(name) {
		return reply.Errorf("bad --registry %q: use the registry's name, as `/do registry` shows it", name)
	}
	return nil
}
