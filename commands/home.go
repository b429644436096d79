package commands

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/home"
)

// The home page's own buttons.
const actionHomeLaunch = home.ActionLaunch

// homeURLBudget bounds the DigitalOcean calls one home page makes for
// live URLs.
const homeURLBudget = 3 * time.Second

// homeViewerTTL is how long after opening their home page a person's page
// is kept current; opening it again publishes it afresh anyway.
const homeViewerTTL = 24 * time.Hour

// viewSide is the bot's forms and home pages: the adapter's views and the
// live URLs seen so far. Who looks at their home page is in the store
// (home_sync.go), shared by every replica.
type viewSide struct {
	views chatview.Views // nil: no forms, no home pages

	mu   sync.Mutex
	urls map[string]string // live URL by app id; an app's URL does not change
}

// withViews sets up the bot's forms and home pages.
func (b *Bot) withViews(d Deps) {
	b.svc.ui = &viewSide{views: d.Views, urls: map[string]string{}}
}

// HomeOpened publishes the person's home page (chatview.Handler), at once
// and from this replica, and notes in the store that they look at it, so
// that the replica running the home loop keeps it current.
func (b *Bot) HomeOpened(ctx context.Context, userID string) {
	if b.svc.ui.views == nil {
		return
	}
	if err := b.store.NoteHomeOpened(ctx, userID); err != nil {
		b.log.Warn("note home page opened; it is kept current from the next time", "user", userID, "err", err)
	}
	before, _, err := b.store.HomeChanges(ctx)
	b.publishHome(ctx, userID)
	// Records that changed meanwhile may already be on a page the home
	// loop published from another replica, which this older one would
	// then overwrite: publish once more from the records as they are now.
	if after, _, err2 := b.store.HomeChanges(ctx); err == nil && err2 == nil && after != before {
		b.publishHome(ctx, userID)
	}
}

// publishHome builds and publishes userID's home page. Every publish goes
// through here, so one place decides whether this process publishes.
func (b *Bot) publishHome(ctx context.Context, userID string) {
	if b.svc.ui.views == nil {
		return
	}
	h, err := b.homeFor(ctx, userID)
	if err != nil {
		b.log.Error("build home page", "user", userID, "err", err)
		h = home.Trouble()
	}
	b.svc.ui.views.PublishHome(ctx, userID, h)
}

// HandleViewClick handles a button on a home page or a form
// (chatview.Handler): Launch opens the launch form; Approve and Deny take
// the path of the card's buttons, answering in the request's channel.
func (b *Bot) HandleViewClick(ctx context.Context, c chatview.Click) {
	ref := fmt.Sprintf("home-%s-%d", c.UserID, b.now().UnixNano())
	if c.ActionID == actionHomeLaunch {
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
	b.publishHome(ctx, c.UserID)
}

// homeFor is what userID sees on their home page.
func (b *Bot) homeFor(ctx context.Context, userID string) (chatview.Home, error) {
	role, err := b.store.Role(ctx, userID)
	if err != nil {
		return chatview.Home{}, err
	}
	if role == dobot.RoleNone {
		admins, _ := b.store.UsersWithRole(ctx, dobot.RoleAdmin)
		return home.NoRole(admins), nil
	}
	apps, err := b.store.Apps(ctx)
	if err != nil {
		return chatview.Home{}, err
	}
	// The same records /do ops lists.
	unfinished, err := b.store.UnfinishedOperations(ctx)
	if err != nil {
		return chatview.Home{}, err
	}
	return b.homeOf(ctx, userID, role, apps, unfinished, b.now()), nil
}

// homeOf lays out the home page of userID, who has role, from the records.
func (b *Bot) homeOf(ctx context.Context, userID string, role dobot.Role, apps []dobot.App, unfinished []dobot.Operation, now time.Time) chatview.Home {
	// URLs not known yet are asked of DigitalOcean within one budget for
	// the page, so a slow API delays a page by seconds at most.
	ctx, cancel := context.WithTimeout(ctx, homeURLBudget)
	defer cancel()
	holds, err := b.Holds(ctx)
	if err != nil {
		b.log.Warn("read locks and freezes for the home page", "err", err)
	}
	return home.Page(home.Input{User: userID, Role: role, CanLaunch: role >= dobot.RoleDeployer, Apps: apps, Unfinished: unfinished, Now: now, Holds: holds.Lines(),
		URL: func(app dobot.App) string { return b.liveURL(ctx, app) }, Escape: Escape})
}

// liveURL is an App Platform app's live URL, asked of DigitalOcean once
// and then remembered; "" for droplets and apps not live yet.
func (b *Bot) liveURL(ctx context.Context, app dobot.App) string {
	if app.Kind == kindDroplet || app.ResourceID == "" {
		return ""
	}
	b.svc.ui.mu.Lock()
	u, ok := b.svc.ui.urls[app.ResourceID]
	b.svc.ui.mu.Unlock()
	if ok {
		return u
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	got, _, err := b.cloud.Apps.Get(ctx, app.ResourceID)
	if err != nil || got.LiveURL == "" {
		return ""
	}
	b.svc.ui.mu.Lock()
	b.svc.ui.urls[app.ResourceID] = got.LiveURL
	b.svc.ui.mu.Unlock()
	return got.LiveURL
}
