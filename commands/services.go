package commands

import "dobot/report"

// services are the packages the thin handlers call into: each is built in
// New from narrow dependencies (see wireServices) and knows nothing of the
// command table or of *Bot.
type services struct {
	ui    *viewSide     // forms and home pages (home.go)
	board *report.Board // read-only answers and the Home tab (report.go)
}

// wireServices builds the services from the bot's collaborators. It runs
// in New once the bot's own parts (store, chat, plan, exec) are set.
func (b *Bot) wireServices(d Deps) error {
	b.svc.board = report.New(report.Deps{Store: d.Store, Plan: b.plan, Apps: d.Cloud.Apps, DeploymentState: b.exec.DeploymentState,
		DropletStatus: b.dropletStatus, Holds: b.wordedHolds, HoldLines: b.holdLines, Deploys: deploys, Age: ageText,
		Chat: d.Chat, Views: d.Views, Log: b.log, Now: d.Now})
	return nil
}
