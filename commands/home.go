package commands

import (
	"context"
	"fmt"
	"strconv"

	"dobot/chatview"
	"dobot/home"
	"dobot/report"
)

// HomeStore keeps, for every replica, who looks at their home page and a
// count of the changes home pages show (package report keeps them current).
type HomeStore = report.HomeStore

// viewSide is the bot's forms and home pages: the adapter's views. Who
// looks at their home page is in the store, shared by every replica.
type viewSide struct {
	views chatview.Views // nil: no forms, no home pages
}

// withViews sets up the bot's forms and home pages.
func (b *Bot) withViews(d Deps) {
	b.svc.ui = &viewSide{views: d.Views}
}

// HomeOpened publishes the person's home page (chatview.Handler), at once
// and from this replica, and notes in the store that they look at it, so
// that the replica running the home loop keeps it current.
func (b *Bot) HomeOpened(ctx context.Context, userID string) { b.svc.board.HomeOpened(ctx, userID) }

// startHomeLoop keeps home pages current from one replica at a time (the
// lease "loop:home"; with SQLite the only process holds it), as the bot's
// other loops are.
func (b *Bot) startHomeLoop() {
	if b.svc.ui.views == nil {
		return
	}
	b.background("home pages", func(ctx context.Context) { b.eng.leases.Loop(ctx, "loop:home", b.svc.board.HomeLoop) })
}

// HandleViewClick handles a button on a home page or a form
// (chatview.Handler): Launch opens the launch form; Approve and Deny take
// the path of the card's buttons, answering in the request's channel.
func (b *Bot) HandleViewClick(ctx context.Context, c chatview.Click) {
	ref := fmt.Sprintf("home-%s-%d", c.UserID, b.now().UnixNano())
	if c.ActionID == home.ActionLaunch {
		b.openLaunchForm(ctx, Request{Ref: ref, UserID: c.UserID, UserName: c.UserName, ChannelID: c.UserID, TriggerID: c.TriggerID})
		return
	}
	click := Click{Ref: ref, UserID: c.UserID, UserName: c.UserName, ChannelID: c.UserID, ActionID: c.ActionID, Value: c.Value, TriggerID: c.TriggerID}
	if id, err := strconv.ParseInt(c.Value, 10, 64); err == nil && (c.ActionID == clickApprove || c.ActionID == clickDeny) {
		if op, err := b.store.Operation(ctx, id); err == nil && op.Channel != "" {
			click.ChannelID = op.Channel
		}
	}
	b.HandleClick(ctx, click)
	b.svc.board.PublishHome(ctx, c.UserID)
}
