package commands

import "dobot/holds"

// services are the packages the thin handlers call into: each is built in
// New from narrow dependencies (see wireServices) and knows nothing of the
// command table or of *Bot.
type services struct {
	ui    *viewSide      // forms and home pages (home.go)
	holds *holds.Service // locks, freezes and break-glass (holds.go)
}

// wireServices builds the services from the bot's collaborators. It runs
// in New once the bot's own parts (store, chat, plan, exec) are set.
func (b *Bot) wireServices(d Deps) error {
	b.svc.holds = holds.New(holds.Deps{Store: d.Store, Chat: d.Chat, Record: b.record, Notify: b.appNotice, Log: b.log, Now: d.Now})
	return nil
}
