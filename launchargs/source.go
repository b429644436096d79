package launchargs

import (
	"strings"

	"dobot/deploy"
	"dobot/docloud/appspec"
	"dobot/reply"
)

// sourceFlags are the launch flags of a Git or spec launch.
type sourceFlags struct {
	git, branch, dir *string
	deployOnPush     *bool
	spec             *bool
}

// parseSource checks a Git or spec launch's flags and reads the pasted
// spec (block, cut from the message by the table's parser). It returns nil
// for an image launch. named reports whether NAME was typed.
func parseSource(f sourceFlags, block string, named bool, args *deploy.LaunchArgs, imageTyped bool) (*deploy.LaunchSource, error) {
	git := strings.TrimSpace(*f.git)
	if git == "" && !*f.spec {
		if *f.branch != "" || *f.dir != "" || *f.deployOnPush {
			return nil, reply.Errorf("--branch, --dir and --deploy-on-push go with --git URL, like `/do launch web --git https://github.com/acme/web --branch main`")
		}
		if block != "" {
			return nil, reply.Errorf("a code block after launch is an app spec: add --spec, like `/do launch --spec` followed by the spec in a code block")
		}
		return nil, nil
	}
	if git != "" && *f.spec {
		return nil, reply.Errorf("use --git or --spec, not both: a spec names its own repositories")
	}
	switch {
	case imageTyped:
		return nil, reply.Errorf("--image launches one container image; leave it out with --git or --spec (a spec names its images)")
	case args.Droplet:
		return nil, reply.Errorf("--droplet runs one image on a droplet; --git and --spec launch App Platform apps")
	case args.Port != 0:
		return nil, reply.Errorf("--port does not apply to --git or --spec: App Platform detects the port (or the spec names it)")
	}
	if git != "" {
		if block != "" {
			return nil, reply.Errorf("a code block is an app spec, which goes with --spec, not --git")
		}
		if _, err := appspec.ParseGitURL(git); err != nil {
			return nil, reply.Errorf("bad --git: %s. Use a repository URL like https://github.com/acme/web.", err.Error())
		}
		if strings.ContainsAny(*f.branch, " \t") || strings.HasPrefix(*f.branch, "-") {
			return nil, reply.Errorf("bad --branch %q: use a branch name like main", *f.branch)
		}
		dir := strings.Trim(strings.TrimSpace(*f.dir), "/")
		if strings.Contains(dir, "..") {
			return nil, reply.Errorf("bad --dir %q: use a directory inside the repository, like services/api", *f.dir)
		}
		if !named && args.Name == "" {
			return nil, reply.Errorf("launch --git needs an app name, like `/do launch web --git %s`", git)
		}
		return &deploy.LaunchSource{Git: &appspec.GitSource{URL: git, Branch: strings.TrimSpace(*f.branch), Dir: dir, DeployOnPush: *f.deployOnPush}}, nil
	}
	if *f.branch != "" || *f.dir != "" || *f.deployOnPush {
		return nil, reply.Errorf("--branch, --dir and --deploy-on-push go with --git; in a spec, set them on each component")
	}
	return parseSpecSource(block, named, args)
}

// finishSourceArgs checks the rest of a Git or spec launch's arguments.
func finishSourceArgs(args deploy.LaunchArgs, ttl string, dryRun bool, cfg Config) (deploy.LaunchArgs, error) {
	if args.Size != "" && !sizeSlugPattern.MatchString(args.Size) {
		return deploy.LaunchArgs{}, reply.Errorf("bad --size %q: use an instance size slug like apps-s-1vcpu-1gb", args.Size)
	}
	if ttl != "" {
		d, err := ParseTTL(ttl, cfg.MaxTTL, "--ttl")
		if err != nil {
			return deploy.LaunchArgs{}, err
		}
		args.TTL = d
	}
	if n := specNameNote(args.From, args.Name); n != "" {
		args.Notes = append(args.Notes, n)
	}
	args.DryRun = dryRun
	return args, nil
}

// sourceInput is what launch's parser read that a Git or spec launch
// checks.
type sourceInput struct {
	block, region, ttl         string
	named, droplet, imageTyped bool
	dryRun                     bool
}

// sourceLaunch parses a Git or spec launch; done is false for an image
// launch, which the caller goes on parsing. It checks the name first:
// every launch needs one, except a spec's, which names itself.
func sourceLaunch(args deploy.LaunchArgs, sf sourceFlags, in sourceInput, cfg Config) (parsed deploy.LaunchArgs, done bool, err error) {
	if args.Name == "" && !*sf.spec {
		return deploy.LaunchArgs{}, true, reply.Errorf("launch needs an app name, like `/do launch web --image nginx` (or set DO_APP_NAME)")
	}
	if args.Name != "" {
		if err := validAppName(args.Name); err != nil {
			return deploy.LaunchArgs{}, true, err
		}
	}
	if *sf.spec || *sf.git != "" {
		if args.Region, err = appRegion(in.region); err != nil {
			return deploy.LaunchArgs{}, true, err
		}
	}
	args.Droplet = in.droplet
	if args.From, err = parseSource(sf, in.block, in.named, &args, in.imageTyped); err != nil || args.From == nil {
		return deploy.LaunchArgs{}, err != nil, err
	}
	parsed, err = finishSourceArgs(args, in.ttl, in.dryRun, cfg)
	return parsed, true, err
}
