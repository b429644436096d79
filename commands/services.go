package commands

import (
	"context"

	"dobot"
	"dobot/access"
)

// services are the packages the thin handlers call into: each is built in
// New from narrow dependencies (see wireServices) and knows nothing of the
// command table or of *Bot.
type services struct {
	ui     *viewSide     // forms and home pages (home.go)
	access *access.Admin // roles and policies: grant, revoke, roles, policy
}

// wireServices builds the services from the bot's collaborators. It runs
// in New once the bot's own parts (store, chat, plan, exec) are set.
func (b *Bot) wireServices(d Deps) error {
	b.svc.access = access.New(access.Deps{Roles: d.Store, Policies: d.Store, Record: b.record, Rules: policyRules(),
		Default: func(ctx context.Context, action string) (dobot.Policy, error) { return b.policyFor(ctx, action, "") }})
	return nil
}
