package commands

import (
	"context"

	"dobot"
	"dobot/access"
	"dobot/holds"
	"dobot/routes"
)

// services are the packages the thin handlers call into: each is built in
// New from narrow dependencies (see wireServices) and knows nothing of the
// command table or of *Bot.
type services struct {
	ui     *viewSide      // forms and home pages (home.go)
	holds  *holds.Service // locks, freezes and break-glass (holds.go)
	access *access.Admin  // roles and policies: grant, revoke, roles, policy
	routes *routes.Router // where an app's messages go (watch_cmd.go)
}

// wireServices builds the services from the bot's collaborators. It runs
// in New once the bot's own parts (store, chat, plan, exec) are set.
func (b *Bot) wireServices(d Deps) error {
	b.svc.routes = routes.New(b.store, b.chat, b.log)
	b.svc.holds = holds.New(holds.Deps{Store: d.Store, Chat: d.Chat, Record: b.record, Notify: b.appNotice, Log: b.log, Now: d.Now})
	b.svc.access = access.New(access.Deps{Roles: d.Store, Policies: d.Store, Record: b.record, Rules: policyRules(),
		Default: func(ctx context.Context, action string) (dobot.Policy, error) { return b.policyFor(ctx, action, "") }})
	return nil
}
