package commands

import "dobot/routes"

// services are the packages the thin handlers call into: each is built in
// New from narrow dependencies (see wireServices) and knows nothing of the
// command table or of *Bot.
type services struct {
	ui     *viewSide      // forms and home pages (home.go)
	routes *routes.Router // where an app's messages go (watch_cmd.go)
}

// wireServices builds the services from the bot's collaborators. It runs
// in New once the bot's own parts (store, chat, plan, exec) are set.
func (b *Bot) wireServices(d Deps) error {
	_ = d
	b.svc.routes = routes.New(b.store, b.chat, b.log)
	return nil
}
