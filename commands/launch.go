package commands

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/plan"
	"dobot/progress"
)

var (
	sizeSlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,63}$`) // sizes such as apps-s-1vcpu-0.5gb have a dot
	// deploymentIDPattern is the UUID form of App Platform deployment ids.
	deploymentIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// AppRegion is dobot.AppRegion with its refusal as a UserError.
func AppRegion(slug string) (string, error) {
	r, err := dobot.AppRegion(slug)
	return r, fromDomain(err)
}

// ValidAppName is dobot.ValidAppName with its refusal as a UserError.
func ValidAppName(name string) error { return fromDomain(dobot.ValidAppName(name)) }

// ParseImageRef is dobot.ParseImageRef with its refusal as a UserError.
func ParseImageRef(s string) (dobot.ImageRef, error) {
	ref, err := dobot.ParseImageRef(s)
	return ref, fromDomain(err)
}

var launchCommand = &Command{
	Name:        "launch",
	Usage:       "launch [NAME] [--image REF] [--region SLUG] [--size SLUG] [--instances N] [--port N] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--droplet] [--git URL [--branch B] [--dir PATH] [--deploy-on-push]] [--spec, then the app spec in a code block] [--ttl DURATION] [--dry-run] [--reason TEXT] [--break-glass REASON]",
	Description: "Create an App Platform app running a container image, and report its progress in a thread. With --git URL it builds the repository's components (App Platform detects them; GitHub and GitLab deploy on push only with --deploy-on-push); with --spec followed, in the same message, by an app spec in a code block (YAML or JSON) it creates that spec, named by it unless NAME is typed. Either way the card shows each component, the cost and any warning before anything is created.",
	Examples:    []string{"launch web --image ghcr.io/nginxinc/nginx-unprivileged:stable", "launch api --image nginx:1.27 --port 80 --region ams3 --env MODE=prod", "launch demo --image nginx --ttl 4h", "launch web --image nginx --dry-run", "launch api --image ghcr.io/acme/api:2 --secret DB_URL=postgres://…", "launch web --git https://github.com/acme/web --branch main"},
	Action:      ActionLaunch,
	Parse:       parseLaunch,
	Prepare:     planWith((*plan.Planner).Launch),
}

func parseLaunch(words []string, cfg Config) (any, error) {
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
	fs.Var(instances, "instances", "")
	fs.Var(port, "port", "")
	fs.Var(env.As("env"), "env", "")
	fs.Var(env.As("secret"), "secret", "")
	sf := sourceFlags{git: fs.String("git", "", ""), branch: fs.String("branch", "", ""), dir: fs.String("dir", "", ""),
		deployOnPush: fs.Bool("deploy-on-push", false, ""), spec: fs.Bool("spec", false, "")}
	words, block := takeBlock(words)
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if *sf.spec && len(pos) == 0 {
		cfg.DefaultApp = "" // the spec names the app
	}
	args := LaunchArgs{Name: cfg.DefaultApp, Sizing: deploy.Sizing{Size: *size, Instances: instances.Value}, Port: port.Value, Env: env.Pairs,
		SecretKeys: env.SecretKeys(), Reason: strings.TrimSpace(*reason), BreakGlass: glass.Value}
	switch len(pos) {
	case 0:
	case 1:
		args.Name = pos[0]
	default:
		return nil, userErrorf("launch takes one app name, got %d words (%s); put flags after --, like --image REF", len(pos), strings.Join(pos, " "))
	}
	in := sourceInput{block: block, named: len(pos) == 1, region: *region, droplet: *droplet, imageTyped: flagSet(fs, "image"), ttl: *ttl, dryRun: *dryRun}
	if src, done, err := sourceLaunch(args, sf, in, cfg); done {
		return src, err
	}
	args.Image = cmdline.TrimScheme(strings.TrimSpace(*image))
	if args.Image == "" {
		return nil, userErrorf("launch needs an image: add --image REF (like --image nginx:1.27), or set DO_IMAGE")
	}
	if args.Ref, err = ParseImageRef(args.Image); err != nil {
		return nil, err
	}
	args.Droplet = *droplet
	if args.Droplet {
		if instances.IsSet {
			return nil, userErrorf("--instances is for App Platform; a --droplet launch runs one droplet")
		}
		if !dobot.IsDropletRegion(*region) {
			return nil, userErrorf("a droplet needs a full region slug like nyc3 or ams3, not %q", *region)
		}
		args.DropletRegion = *region
	}
	if args.Region, err = AppRegion(*region); err != nil {
		return nil, err
	}
	if args.Size != "" && !sizeSlugPattern.MatchString(args.Size) {
		return nil, userErrorf("bad --size %q: use an instance size slug like apps-s-1vcpu-1gb", args.Size)
	}
	if *ttl != "" {
		if args.TTL, err = parseTTL(*ttl, cfg, "--ttl"); err != nil {
			return nil, err
		}
	}
	args.DryRun = *dryRun
	return args, nil
}

// busyText says who holds an app and since when.
func busyText(busy *dobot.BusyError) string {
	h := busy.Holder
	return fmt.Sprintf("%s is busy: %s (%s), asked by %s at %s, is still %s. Wait for it to finish, or cancel it with `/do cancel %d`.",
		Escape(h.App), opRef(h), Escape(opWhat(h)), chat.Mention(h.Requester), h.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), strings.ReplaceAll(string(h.State), "_", " "), h.ID)
}

// reporterFor returns a reporter for op's head message and thread.
func (b *Bot) reporterFor(op dobot.Operation) *progress.Reporter {
	return progress.New(b.chat, b.log.With("op", op.ID), op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, op.ResponseURL).Notify(op.Requester)
}

// parseTTL reads a --ttl value, or an extend's duration: a duration (Go's
// syntax, or days like 4d) of at least ten seconds and at most BOT_MAX_TTL.
// what names the value in messages.
func parseTTL(s string, cfg Config, what string) (time.Duration, error) {
	d, err := dobot.ParseDuration(s)
	if err != nil || d < 10*time.Second {
		return 0, userErrorf("%s takes a duration of at least 10s, like 45m, 4h, 2h30m or 2d, not %q", what, s)
	}
	if capTTL := cfg.maxTTL(); d > capTTL {
		return 0, userErrorf("%s %s is longer than an app may live: BOT_MAX_TTL caps its lifetime at %s from its launch. Ask for %s or less.", what, s, dobot.FormatDuration(capTTL), dobot.FormatDuration(capTTL))
	}
	return d, nil
}
