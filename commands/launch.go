package commands

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/launchargs"
	"dobot/plan"
	"dobot/progress"
	"dobot/reply"
)

// deploymentIDPattern is the UUID form of App Platform deployment ids.
var deploymentIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// AppRegion is dobot.AppRegion with its refusal as a UserError.
func AppRegion(slug string) (string, error) {
	r, err := dobot.AppRegion(slug)
	return r, reply.FromDomain(err)
}

// ValidAppName is dobot.ValidAppName with its refusal as a UserError.
func ValidAppName(name string) error { return reply.FromDomain(dobot.ValidAppName(name)) }

// ParseImageRef is dobot.ParseImageRef with its refusal as a UserError.
func ParseImageRef(s string) (dobot.ImageRef, error) {
	ref, err := dobot.ParseImageRef(s)
	return ref, reply.FromDomain(err)
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
	return launchargs.Parse(words, cfg.launch())
}

// launch is what launch's parser and form take from the settings.
func (c Config) launch() launchargs.Config {
	return launchargs.Config{DefaultApp: c.DefaultApp, DefaultImage: c.DefaultImage, Region: c.Region, MaxTTL: c.maxTTL()}
}

// busyText says who holds an app and since when.
func busyText(busy *dobot.BusyError) string {
	h := busy.Holder
	return fmt.Sprintf("%s is busy: %s (%s), asked by %s at %s, is still %s. Wait for it to finish, or cancel it with `/do cancel %d`.",
		reply.Escape(h.App), opRef(h), reply.Escape(opWhat(h)), chat.Mention(h.Requester), h.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), strings.ReplaceAll(string(h.State), "_", " "), h.ID)
}

// reporterFor returns a reporter for op's head message and thread.
func (b *Bot) reporterFor(op dobot.Operation) *progress.Reporter {
	return progress.New(b.chat, b.log.With("op", op.ID), op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, op.ResponseURL).Notify(op.Requester)
}

// parseTTL reads a --ttl value, or an extend's duration
// (launchargs.ParseTTL, capped by BOT_MAX_TTL).
func parseTTL(s string, cfg Config, what string) (time.Duration, error) {
	return launchargs.ParseTTL(s, cfg.maxTTL(), what)
}
