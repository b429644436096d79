package commands

import (
	"context"

	"dobot"
	"dobot/access"
	"dobot/daytwocmd"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/holds"
	"dobot/launchargs"
	"dobot/logview"
	"dobot/ops/cancel"
	"dobot/registryview"
	"dobot/report"
	"dobot/routes"
)

// services are the packages the thin handlers call into: each is built in
// New from narrow dependencies (see wireServices) and knows nothing of the
// command table or of *Bot.
type services struct {
	ui     *viewSide         // forms and home pages (home.go)
	holds  *holds.Service    // locks, freezes and break-glass (holds.go)
	access *access.Admin     // roles and policies: grant, revoke, roles, policy
	routes *routes.Router    // where an app's messages go (watch_cmd.go)
	launch *launchargs.Forms // the launch form and its submissions (forms.go)
	board  *report.Board     // read-only answers and the Home tab (package report)
	ops    opsSide           // the operation machinery beyond package ops (engine.go)
	reads  readers           // logs and registry answers
	follow follows           // the follows of added domains (domains.go)
}

// readers answer read-only commands that need DigitalOcean.
type readers struct {
	logs     *logview.Service
	registry *registryview.Service
}

// wireServices builds the services from the bot's collaborators. It runs
// in New once the bot's own parts (store, chat, plan, exec) are set.
func (b *Bot) wireServices(d Deps) error {
	b.svc.routes = routes.New(b.store, b.chat, b.log)
	b.svc.holds = holds.New(holds.Deps{Store: d.Store, Chat: d.Chat, Record: b.record, Notify: b.appNotice, Log: b.log, Now: d.Now,
		EndRole: func(ctx context.Context) (dobot.Role, error) {
			p, err := b.policyFor(ctx, deploy.ActionUnfreeze, "")
			return p.Role, err
		}})
	b.svc.access = access.New(access.Deps{Roles: d.Store, Policies: d.Store, Record: b.record, Rules: policyRules(),
		Default: func(ctx context.Context, action string) (dobot.Policy, error) { return b.policyFor(ctx, action, "") }})
	b.svc.launch = launchargs.New(b.cfg.launch(), launchargs.Deps{Apps: b.store, Planner: b.plan, Requests: b.store, Log: b.log})
	b.svc.board = report.New(report.Deps{Store: d.Store, Plan: b.plan, Apps: d.Cloud.Apps, DeploymentState: b.exec.DeploymentState,
		DropletStatus: func(ctx context.Context, a dobot.App) (Message, error) {
			return daytwocmd.DropletStatus(ctx, d.Cloud.Droplets, a)
		},
		Holds: b.svc.holds, Deploys: cancel.Deploys,
		Chat: d.Chat, Views: d.Views, Log: b.log, Now: d.Now})
	b.wireOps(d)
	b.svc.follow = follows{Ops: b.eng.ops, Store: d.Store, Run: b.start, Reporter: b.reporterFor, Now: d.Now, Log: b.log}
	b.svc.reads = readers{
		logs: &logview.Service{Apps: b.plan, Deployments: d.Cloud.Apps, Chat: d.Chat, Log: b.log,
			Logs: docloud.Logs{Apps: d.Cloud.Apps, HTTP: b.http, LiveWindow: b.cfg.LiveLogWindow, Log: b.log}},
		registry: &registryview.Service{Plan: b.plan, Registries: d.Cloud.Registries, Registry: d.Cloud.Registry},
	}
	return nil
}
