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

// homeSettle gathers the changes of one moment (an approval, its card, its
// operation starting) into one republish.
const homeSettle = 300 * time.Millisecond

// homeURLBudget bounds the DigitalOcean calls one home page makes for
// live URLs.
const homeURLBudget = 3 * time.Second

// homeViewerTTL is how long after opening their home page a person's page
// is kept current; opening it again publishes it afresh anyway.
const homeViewerTTL = 24 * time.Hour

// viewSide is the bot's forms and home pages: the adapter's views, who
// looks at their home page, and the live URLs seen so far.
type viewSide struct {
	views chatview.Views // nil: no forms, no home pages

	mu      sync.Mutex
	viewers map[string]time.Time // by user: when they last opened their home page
	urls    map[string]string    // live URL by app id; an app's URL does not change
	pending bool                 // a republish is scheduled
}

// withViews sets up the bot's views and returns the store the bot should
// use: d.Store, told to republish home pages when operations and apps
// change.
func (b *Bot) withViews(d Deps) Store {
	b.ui = &viewSide{views: d.Views, viewers: map[string]time.Time{}, urls: map[string]string{}}
	if d.Views == nil {
		return d.Store
	}
	return changeNotifier{Store: d.Store, changed: b.homesChanged}
}

// HomeOpened publishes the person's home page (chatview.Handler) and keeps
// it current while they may be looking.
func (b *Bot) HomeOpened(ctx context.Context, userID string) {
	b.ui.mu.Lock()
	b.ui.viewers[userID] = b.now()
	b.ui.mu.Unlock()
	b.publishHome(ctx, userID)
}

// publishHome builds and publishes userID's home page. Every publish goes
// through here, so one place decides whether this process publishes.
func (b *Bot) publishHome(ctx context.Context, userID string) {
	if b.ui.views == nil {
		return
	}
	h, err := b.homeFor(ctx, userID)
	if err != nil {
		b.log.Error("build home page", "user", userID, "err", err)
		h = home.Trouble()
	}
	b.ui.views.PublishHome(ctx, userID, h)
}

// homesChanged republishes, shortly, the home page of everyone who looked
// at theirs lately: what it shows (apps, operations, requests, spend) is
// shared, so any change may show on any of them.
func (b *Bot) homesChanged() {
	b.ui.mu.Lock()
	defer b.ui.mu.Unlock()
	if b.ui.pending || len(b.ui.viewers) == 0 {
		return
	}
	b.ui.pending = true
	time.AfterFunc(homeSettle, func() {
		b.ui.mu.Lock()
		b.ui.pending = false
		var users []string
		for u, at := range b.ui.viewers {
			if b.now().Sub(at) > homeViewerTTL {
				delete(b.ui.viewers, u)
				continue
			}
			users = append(users, u)
		}
		b.ui.mu.Unlock()
		b.background("home pages", func(ctx context.Context) {
			for _, u := range users {
				b.publishHome(ctx, u)
			}
		})
	})
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
	return home.Page(home.Input{User: userID, Role: role, CanLaunch: role >= dobot.RoleDeployer, Apps: apps, Unfinished: unfinished, Now: now,
		URL: func(app dobot.App) string { return b.liveURL(ctx, app) }, Escape: Escape})
}

// liveURL is an App Platform app's live URL, asked of DigitalOcean once
// and then remembered; "" for droplets and apps not live yet.
func (b *Bot) liveURL(ctx context.Context, app dobot.App) string {
	if app.Kind == kindDroplet || app.ResourceID == "" {
		return ""
	}
	b.ui.mu.Lock()
	u, ok := b.ui.urls[app.ResourceID]
	b.ui.mu.Unlock()
	if ok {
		return u
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	got, _, err := b.apps.Get(ctx, app.ResourceID)
	if err != nil || got.LiveURL == "" {
		return ""
	}
	b.ui.mu.Lock()
	b.ui.urls[app.ResourceID] = got.LiveURL
	b.ui.mu.Unlock()
	return got.LiveURL
}

// changeNotifier is the bot's store, telling homesChanged of every change
// a home page shows: operations created, decided or ended, apps recorded,
// changed or deleted. Progress of a running operation is not such a change.
type changeNotifier struct {
	Store
	changed func()
}

func (s changeNotifier) notify(err error) {
	if err == nil {
		s.changed()
	}
}

func (s changeNotifier) CreateOperation(ctx context.Context, op dobot.Operation) (dobot.Operation, error) {
	out, err := s.Store.CreateOperation(ctx, op)
	s.notify(err)
	return out, err
}

func (s changeNotifier) UpdateOperation(ctx context.Context, op dobot.Operation) error {
	err := s.Store.UpdateOperation(ctx, op)
	if op.State.Final() {
		s.notify(err)
	}
	return err
}

func (s changeNotifier) Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error) {
	op, ok, err := s.Store.Transition(ctx, id, from, to, mutate)
	if ok {
		s.notify(err)
	}
	return op, ok, err
}

func (s changeNotifier) Decide(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation),
	entry func(dobot.Operation) dobot.AuditEntry) (dobot.Operation, bool, dobot.AuditEntry, error) {
	op, ok, e, err := s.Store.Decide(ctx, id, from, to, mutate, entry)
	if ok {
		s.notify(err)
	}
	return op, ok, e, err
}

func (s changeNotifier) RecordCreation(ctx context.Context, op dobot.Operation, app dobot.App) error {
	err := s.Store.RecordCreation(ctx, op, app)
	s.notify(err)
	return err
}

func (s changeNotifier) PutApp(ctx context.Context, app dobot.App) error {
	err := s.Store.PutApp(ctx, app)
	s.notify(err)
	return err
}

func (s changeNotifier) DeleteApp(ctx context.Context, name string) error {
	err := s.Store.DeleteApp(ctx, name)
	s.notify(err)
	return err
}

func (s changeNotifier) UpdateAppExpiry(ctx context.Context, name string, from, to time.Time, reminded bool) (bool, error) {
	ok, err := s.Store.UpdateAppExpiry(ctx, name, from, to, reminded)
	if ok {
		s.notify(err)
	}
	return ok, err
}
