package commands

import (
	"dobot"
	"dobot/chat"
	"dobot/launchargs"
	"dobot/plan"
	"dobot/progress"
	"dobot/reply"
)

// ValidAppName is dobot.ValidAppName with its refusal as a UserError.
func ValidAppName(name string) error { return reply.FromDomain(dobot.ValidAppName(name)) }

var launchCommand = &Command{
	Name:        "launch",
	Usage:       "launch [NAME] [--image REF] [--region SLUG] [--size SLUG] [--instances N] [--port N] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--droplet] [--git URL [--branch B] [--dir PATH] [--deploy-on-push]] [--spec, then the app spec in a code block] [--ttl DURATION] [--dry-run] [--reason TEXT] [--break-glass REASON] [--form]",
	Description: "Create an App Platform app running a container image, and report its progress in a thread. With --git URL it builds the repository's components (App Platform detects them; GitHub and GitLab deploy on push only with --deploy-on-push); with --spec followed, in the same message, by an app spec in a code block (YAML or JSON) it creates that spec, named by it unless NAME is typed. Either way the card shows each component, the cost and any warning before anything is created. With --form it opens the launch form instead, prefilled with the name, image and flags typed.",
	Examples:    []string{"launch web --image ghcr.io/nginxinc/nginx-unprivileged:stable", "launch api --image nginx:1.27 --port 80 --region ams3 --env MODE=prod", "launch demo --image nginx --ttl 4h", "launch web --image nginx --dry-run", "launch api --image ghcr.io/acme/api:2 --secret DB_URL=postgres://…", "launch web --git https://github.com/acme/web --branch main", "launch web --image nginx --form"},
	Action:      ActionLaunch,
	Parse:       func(words []string, cfg Config) (any, error) { return launchargs.Parse(words, cfg.launch()) },
	Prepare:     planWith((*plan.Planner).Launch),
}

// launch is what launch's parser and form take from the settings.
func (c Config) launch() launchargs.Config {
	return launchargs.Config{DefaultApp: c.DefaultApp, DefaultImage: c.DefaultImage, Region: c.Region, MaxTTL: c.maxTTL()}
}

// reporterFor returns a reporter for op's head message and thread.
func (b *Bot) reporterFor(op dobot.Operation) *progress.Reporter {
	return progress.New(b.chat, b.log.With("op", op.ID), op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, op.ResponseURL).Notify(op.Requester)
}
