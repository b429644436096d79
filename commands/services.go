package commands

// services are the packages the thin handlers call into: each is built in
// New from narrow dependencies (see wireServices) and knows nothing of the
// command table or of *Bot.
type services struct {
	ui  *viewSide // forms and home pages (home.go)
	ops opsSide   // the operation machinery beyond package ops (engine.go)
}

// wireServices builds the services from the bot's collaborators. It runs
// in New once the bot's own parts (store, chat, plan, exec) are set.
func (b *Bot) wireServices(d Deps) error {
	_ = d
	b.wireOps(d)
	return nil
}
