package commands

import (
	"context"
	"encoding/json"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/daytwocmd"
	"dobot/deploy"
	"dobot/docloud/daytwo"
	"dobot/plan"
)

// The day-two commands: package daytwocmd parses them and answers the
// read-only ones, package plan plans them and package deploy runs them.

// The day-two actions (package deploy runs them).
const (
	ActionScale        = deploy.ActionScale
	ActionRestart      = deploy.ActionRestart
	ActionEnv          = deploy.ActionEnv
	ActionDomains      = deploy.ActionDomains
	ActionDomainFollow = deploy.ActionDomainFollow
)

// specChangeActions send a new spec worked out from the app's spec at
// request time; an approval is bound to that spec (binding.go).
var specChangeActions = []string{ActionRedeploy, ActionRollback, ActionScale, ActionEnv, ActionDomains}

// sentSpecHash is the hash of the spec a change will send, as stored
// (secrets sealed), or "" when it sends none.
func sentSpecHash(op dobot.Operation) string {
	var a struct{ Spec *godo.AppSpec }
	if json.Unmarshal([]byte(op.Args), &a) != nil {
		return ""
	}
	return daytwo.SpecHash(a.Spec)
}

var scaleCommand = &Command{
	Name:        "scale",
	Usage:       "scale NAME [--instances N] [--size SLUG] [--component C] [--reason TEXT]",
	Description: "Change how many instances of a component run, or their size. The card shows the plan and the monthly cost before and after; the same size rules as launch apply. Progress goes to a thread.",
	Examples:    []string{"scale web --instances 3", "scale web --size apps-s-1vcpu-1gb", "scale shop --component worker --instances 2"},
	Action:      ActionScale,
	Parse:       parsedBy(daytwocmd.ParseScale),
	Prepare:     planWith((*plan.Planner).Scale),
}

var restartCommand = &Command{
	Name:        "restart",
	Usage:       "restart NAME [--component C] [--reason TEXT]",
	Description: "Restart an app's components (or one, with --component) without a rebuild: App Platform replaces its instances with the same build. Progress goes to a thread.",
	Examples:    []string{"restart web", "restart shop --component worker"},
	Action:      ActionRestart,
	Parse:       parsedBy(daytwocmd.ParseRestart),
	Prepare:     planWith((*plan.Planner).Restart),
}

var redeployCommand = &Command{
	Name:        "redeploy",
	Usage:       "redeploy NAME [--image REF] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--size SLUG] [--instances N] [--dry-run] [--reason TEXT] [--break-glass REASON]",
	Description: "Deploy an app again: with --image, update its spec to the new image or tag; with --env or --secret, set those variables; with --size or --instances, resize it (the card shows the new monthly cost); with none of these, force a fresh deployment. Progress goes to a thread.",
	Examples:    []string{"redeploy web --image ghcr.io/nginxinc/nginx-unprivileged:mainline", "redeploy web", "redeploy web --secret API_TOKEN=…"},
	Action:      ActionRedeploy,
	Parse:       parsedBy(daytwocmd.ParseRedeploy),
	Prepare:     planWith((*plan.Planner).Redeploy),
}

var rollbackCommand = &Command{
	Name:        "rollback",
	Usage:       "rollback NAME [DEPLOYMENT] [--reason TEXT] [--break-glass REASON]",
	Description: "Roll an app back to its previous active deployment, or to the one given, after DigitalOcean confirms it can.",
	Examples:    []string{"rollback web", "rollback web 3aa4d20e-5527-4c00-b496-601fbd22520a"},
	Action:      ActionRollback,
	Parse:       parsedBy(daytwocmd.ParseRollback),
	Prepare:     planWith((*plan.Planner).Rollback),
}

var teardownCommand = &Command{
	Name:        "teardown",
	Usage:       "teardown NAME [--reason TEXT] [--break-glass REASON]",
	Description: "Delete an app the bot launched.",
	Examples:    []string{"teardown web"},
	Action:      ActionTeardown,
	Parse:       parsedBy(daytwocmd.ParseTeardown),
	Prepare:     planWith((*plan.Planner).Teardown),
}

// envCommand lists an app's variables (keys, scope and type, never
// values); its sub-commands set and unset one. App Platform serves SECRET
// values encrypted (EV[…]); every change sends them back unchanged, which
// App Platform reads as "keep this secret".
var envCommand = &Command{
	Name:        "env",
	Usage:       "env NAME",
	Description: "List an app's environment variables: key, where, scope and type, never values. Answered privately.",
	Examples:    []string{"env web", "env set web LOG_LEVEL=debug", "env set web API_TOKEN=… --secret", "env unset web LOG_LEVEL"},
	MinRole:     dobot.RoleViewer,
	Parse:       parsedBy(daytwocmd.ParseEnv),
	Run:         runEnvList,
	Subcommands: []*Command{
		{
			Name:        "env set",
			Usage:       "env set NAME KEY=VALUE [--secret] [--component C] [--reason TEXT]",
			Description: "Set one variable and deploy. A key with PASSWORD, SECRET, TOKEN, KEY or CREDENTIAL in its name is SECRET even without --secret; a SECRET stays SECRET. The value is never shown or stored.",
			Examples:    []string{"env set web LOG_LEVEL=debug", "env set web STRIPE_KEY=… --component api"},
			Action:      ActionEnv,
			Parse:       parsedBy(daytwocmd.ParseEnvSet),
			Prepare:     planWith((*plan.Planner).EnvSet),
		},
		{
			Name:        "env unset",
			Usage:       "env unset NAME KEY [--component C] [--reason TEXT]",
			Description: "Remove one variable and deploy; every other variable, sealed secrets included, is kept as it is.",
			Examples:    []string{"env unset web LOG_LEVEL"},
			Action:      ActionEnv,
			Parse:       parsedBy(daytwocmd.ParseEnvUnset),
			Prepare:     planWith((*plan.Planner).EnvUnset),
		},
	},
}

// runEnvList answers privately, with a link to the app's launch thread
// (as every read-only answer about one app).
var runEnvList = replyWith(func(ctx context.Context, b *Bot, _ *Invocation, a daytwocmd.AppArgs) (Message, error) {
	managed, app, err := b.plan.AppNow(ctx, "env", a.Name)
	if err != nil {
		return Message{}, err
	}
	return b.svc.board.WithThreadLink(ctx, managed, daytwocmd.EnvAnswer(a.Name, app.Spec)), nil
})

func dropletActionCommand(word, apiType, what string) *Command {
	return &Command{
		Name:        "droplet " + word,
		Usage:       "droplet " + word + " NAME",
		Description: what + " a droplet the bot manages, and watch the action to completion.",
		Examples:    []string{"droplet " + word + " build-box"},
		Action:      ActionDroplet,
		Parse:       parsedBy(daytwocmd.ParseDropletAction(word, apiType)),
		Prepare:     planWith((*plan.Planner).DropletAction),
	}
}

var dropletCommand = &Command{
	Name:        "droplet",
	Usage:       "droplet reboot|power-off|power-on NAME",
	Description: "Run an action on a droplet the bot manages.",
	Examples:    []string{"droplet reboot build-box"},
	MinRole:     dobot.RoleDeployer,
	Parse:       func([]string, Config) (any, error) { return nil, daytwocmd.NeedsAction() },
	Run:         func(context.Context, *Bot, *Invocation) error { return nil },
	Subcommands: []*Command{
		dropletActionCommand("reboot", "reboot", "Reboot"),
		dropletActionCommand("power-off", "power_off", "Power off"),
		dropletActionCommand("power-on", "power_on", "Power on"),
	},
}
