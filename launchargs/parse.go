// Package launchargs reads what a launch is asked to do: from the words
// typed after `/do launch` (an image, a Git repository or a pasted app
// spec), or from the launch form's submitted fields, checked field by
// field. It also defines the bot's other forms, the reason asked for by a
// Deny or a teardown button. It knows neither the command table nor the
// bot: the sizes, the app names taken and the launch checks come in as
// narrow interfaces (Deps).
package launchargs

import (
	"flag"
	"regexp"
	"strings"
	"time"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/reply"
)

// Config is what a launch's parser takes from the settings.
type Config struct {
	DefaultApp   string        // DO_APP_NAME: the name when none is given
	DefaultImage string        // DO_IMAGE: the image when --image is absent
	Region       string        // DO_REGION: the region slug when --region is absent
	MaxTTL       time.Duration // BOT_MAX_TTL, defaulted: the longest --ttl
}

// sizeSlugPattern is an instance size slug; sizes such as
// apps-s-1vcpu-0.5gb have a dot.
var sizeSlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,63}$`)

// Parse reads launch's words: NAME, then flags for an image launch, a Git
// launch (--git) or a spec launch (--spec, the spec pasted in a code block
// that the table's parser appends as the last word, after BlockMark).
func Parse(words []string, cfg Config) (deploy.LaunchArgs, error) {
	fs := cmdline.NewFlagSet("launch")
	image := fs.String("image", cfg.DefaultImage, "")
	region := fs.String("region", cfg.Region, "")
	size := fs.String("size", "", "")
	instances := &cmdline.IntFlag{Name: "instances", Min: 1, Max: 250}
	port := &cmdline.IntFlag{Name: "port", Min: 1, Max: 65535}
	env := &cmdline.EnvFlag{}
	reason := fs.String("reason", "", "")
	glass := cmdline.BreakGlass(fs)
	ttl := fs.String("ttl", "", "")
	dryRun := fs.Bool("dry-run", false, "")
	droplet := fs.Bool("droplet", false, "")
	form := fs.Bool("form", false, "")
	fs.Var(instances, "instances", "")
	fs.Var(port, "port", "")
	fs.Var(env.As("env"), "env", "")
	fs.Var(env.As("secret"), "secret", "")
	sf := sourceFlags{git: fs.String("git", "", ""), branch: fs.String("branch", "", ""), dir: fs.String("dir", "", ""),
		deployOnPush: fs.Bool("deploy-on-push", false, ""), spec: fs.Bool("spec", false, "")}
	words, block := takeBlock(words)
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return deploy.LaunchArgs{}, err
	}
	if *form {
		return deploy.LaunchArgs{}, reply.Errorf("--form opens the launch form, prefilled with a name, an image and flags; it cannot open for this command (not here, or not with an app spec pasted): type `/do launch --form` and fill the form in, or type the launch without --form. Nothing was launched.")
	}
	if *sf.spec && len(pos) == 0 {
		cfg.DefaultApp = "" // the spec names the app
	}
	args := deploy.LaunchArgs{Name: cfg.DefaultApp, Sizing: deploy.Sizing{Size: *size, Instances: instances.Value}, Port: port.Value, Env: env.Pairs,
		SecretKeys: env.SecretKeys(), Reason: strings.TrimSpace(*reason), BreakGlass: glass.Value}
	switch len(pos) {
	case 0:
	case 1:
		args.Name = pos[0]
	default:
		return deploy.LaunchArgs{}, reply.Errorf("launch takes one app name, got %d words (%s); put flags after --, like --image REF", len(pos), strings.Join(pos, " "))
	}
	in := sourceInput{block: block, named: len(pos) == 1, region: *region, droplet: *droplet, imageTyped: flagSet(fs, "image"), ttl: *ttl, dryRun: *dryRun}
	if src, done, err := sourceLaunch(args, sf, in, cfg); done {
		return src, err
	}
	args.Image = cmdline.TrimScheme(strings.TrimSpace(*image))
	if args.Image == "" {
		return deploy.LaunchArgs{}, reply.Errorf("launch needs an image: add --image REF (like --image nginx:1.27), or set DO_IMAGE")
	}
	if args.Ref, err = parseImageRef(args.Image); err != nil {
		return deploy.LaunchArgs{}, err
	}
	args.Droplet = *droplet
	if args.Droplet {
		if instances.IsSet {
			return deploy.LaunchArgs{}, reply.Errorf("--instances is for App Platform; a --droplet launch runs one droplet")
		}
		if !dobot.IsDropletRegion(*region) {
			return deploy.LaunchArgs{}, reply.Errorf("a droplet needs a full region slug like nyc3 or ams3, not %q", *region)
		}
		args.DropletRegion = *region
	}
	if args.Region, err = appRegion(*region); err != nil {
		return deploy.LaunchArgs{}, err
	}
	if args.Size != "" && !sizeSlugPattern.MatchString(args.Size) {
		return deploy.LaunchArgs{}, reply.Errorf("bad --size %q: use an instance size slug like apps-s-1vcpu-1gb", args.Size)
	}
	if *ttl != "" {
		if args.TTL, err = ParseTTL(*ttl, cfg.MaxTTL, "--ttl"); err != nil {
			return deploy.LaunchArgs{}, err
		}
	}
	args.DryRun = *dryRun
	return args, nil
}

// ParseTTL reads a --ttl value, or an extend's duration: a duration (Go's
// syntax, or days like 4d) of at least ten seconds and at most maxTTL
// (BOT_MAX_TTL). what names the value in messages.
func ParseTTL(s string, maxTTL time.Duration, what string) (time.Duration, error) {
	d, err := dobot.ParseDuration(s)
	if err != nil || d < 10*time.Second {
		return 0, reply.Errorf("%s takes a duration of at least 10s, like 45m, 4h, 2h30m or 2d, not %q", what, s)
	}
	if d > maxTTL {
		return 0, reply.Errorf("%s %s is longer than an app may live: BOT_MAX_TTL caps its lifetime at %s from its launch. Ask for %s or less.", what, s, dobot.FormatDuration(maxTTL), dobot.FormatDuration(maxTTL))
	}
	return d, nil
}

// flagSet reports whether the flag name was typed.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// The domain's rules, with their refusals as user errors.
func appRegion(slug string) (string, error) {
	r, err := dobot.AppRegion(slug)
	return r, reply.FromDomain(err)
}

func validAppName(name string) error { return reply.FromDomain(dobot.ValidAppName(name)) }

func parseImageRef(s string) (dobot.ImageRef, error) {
	ref, err := dobot.ParseImageRef(s)
	return ref, reply.FromDomain(err)
}
