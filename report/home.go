package report

import (
	"context"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/deploy"
	"dobot/home"
	"dobot/reply"
)

// HomeStore keeps, for every replica, who looks at their home page and a
// count of the changes home pages show.
type HomeStore interface {
	// NoteHomeOpened records that userID opened their home page now.
	NoteHomeOpened(ctx context.Context, userID string) error
	// HomeViewers lists who opened their home page within the last while.
	HomeViewers(ctx context.Context, within time.Duration) ([]string, error)
	// ForgetHomeViewers drops those who have not opened it for longer.
	ForgetHomeViewers(ctx context.Context, after time.Duration) (int64, error)
	// HomeChanges counts the changes to apps and operations a home page
	// shows, whoever made them, and up to which count pages were
	// republished.
	HomeChanges(ctx context.Context) (changes, published int64, err error)
	// MarkHomePublished records pages republished up to count upto.
	MarkHomePublished(ctx context.Context, upto int64) error
}

// homeURLBudget bounds the DigitalOcean calls one home page makes for
// live URLs.
const homeURLBudget = 3 * time.Second

// homeViewerTTL is how long after opening their home page a person's page
// is kept current; opening it again publishes it afresh anyway.
const homeViewerTTL = 24 * time.Hour

// homePoll is how often the home loop looks for changes: what one look
// finds is one republish, so a burst of changes (an approval, its
// operation starting, the app recorded) costs a page or two, not one a
// change.
const homePoll = time.Second

// HomeOpened publishes the person's home page at once and from this
// replica, and notes in the store that they look at it, so that the
// replica running the home loop keeps it current.
func (r *Board) HomeOpened(ctx context.Context, userID string) {
	if r.d.Views == nil {
		return
	}
	if err := r.d.Store.NoteHomeOpened(ctx, userID); err != nil {
		r.d.Log.Warn("note home page opened; it is kept current from the next time", "user", userID, "err", err)
	}
	before, _, err := r.d.Store.HomeChanges(ctx)
	r.PublishHome(ctx, userID)
	// Records that changed meanwhile may already be on a page the home
	// loop published from another replica, which this older one would
	// then overwrite: publish once more from the records as they are now.
	if after, _, err2 := r.d.Store.HomeChanges(ctx); err == nil && err2 == nil && after != before {
		r.PublishHome(ctx, userID)
	}
}

// PublishHome builds and publishes userID's home page. Every publish goes
// through here, so one place decides whether this process publishes.
func (r *Board) PublishHome(ctx context.Context, userID string) {
	if r.d.Views == nil {
		return
	}
	h, err := r.Home(ctx, userID)
	if err != nil {
		r.d.Log.Error("build home page", "user", userID, "err", err)
		h = home.Trouble()
	}
	r.d.Views.PublishHome(ctx, userID, h)
}

// Home is what userID sees on their home page.
func (r *Board) Home(ctx context.Context, userID string) (chatview.Home, error) {
	role, err := r.d.Store.Role(ctx, userID)
	if err != nil {
		return chatview.Home{}, err
	}
	if role == dobot.RoleNone {
		admins, _ := r.d.Store.UsersWithRole(ctx, dobot.RoleAdmin)
		return home.NoRole(admins), nil
	}
	apps, err := r.d.Store.Apps(ctx)
	if err != nil {
		return chatview.Home{}, err
	}
	// The same records /do ops lists.
	unfinished, err := r.d.Store.UnfinishedOperations(ctx)
	if err != nil {
		return chatview.Home{}, err
	}
	return r.HomeOf(ctx, userID, role, apps, unfinished, r.d.Now()), nil
}

// HomeOf lays out the home page of userID, who has role, from the records.
func (r *Board) HomeOf(ctx context.Context, userID string, role dobot.Role, apps []dobot.App, unfinished []dobot.Operation, now time.Time) chatview.Home {
	// URLs not known yet are asked of DigitalOcean within one budget for
	// the page, so a slow API delays a page by seconds at most.
	ctx, cancel := context.WithTimeout(ctx, homeURLBudget)
	defer cancel()
	held, err := r.d.Holds.Holds(ctx)
	if err != nil {
		r.d.Log.Warn("read locks and freezes for the home page", "err", err)
	}
	return home.Page(home.Input{User: userID, Role: role, CanLaunch: role >= dobot.RoleDeployer, Apps: apps, Unfinished: unfinished, Now: now, Holds: held.Lines(),
		URL: func(app dobot.App) string { return r.liveURL(ctx, app) }, Escape: reply.Escape})
}

// liveURL is an App Platform app's live URL, asked of DigitalOcean once
// and then remembered; "" for droplets and apps not live yet.
func (r *Board) liveURL(ctx context.Context, app dobot.App) string {
	if app.Kind == deploy.KindDroplet || app.ResourceID == "" {
		return ""
	}
	r.mu.Lock()
	u, ok := r.urls[app.ResourceID]
	r.mu.Unlock()
	if ok {
		return u
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	got, _, err := r.d.Apps.Get(ctx, app.ResourceID)
	if err != nil || got.LiveURL == "" {
		return ""
	}
	r.mu.Lock()
	r.urls[app.ResourceID] = got.LiveURL
	r.mu.Unlock()
	return got.LiveURL
}

// HomeLoop keeps home pages current, looking for changes every homePoll
// until ctx ends (the caller's lease is lost or the bot stops). Run it
// on one replica at a time.
func (r *Board) HomeLoop(ctx context.Context) {
	t := time.NewTicker(homePoll)
	defer t.Stop()
	for {
		if err := r.syncHomes(ctx); err != nil && ctx.Err() == nil {
			r.d.Log.Warn("keep home pages current; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncHomes is one look: when the store's change count has moved past the
// count last republished, it republishes the page of everyone who opened
// theirs in the last day, then marks the count it read republished. The
// mark is in the store, so a replica that takes the loop over neither
// misses a change made before it did nor republishes one already shown;
// pages are read after the count, so a change the count missed moves it
// again for the next look. When nothing changed it is one query.
func (r *Board) syncHomes(ctx context.Context) error {
	changes, published, err := r.d.Store.HomeChanges(ctx)
	if err != nil || changes == published {
		return err
	}
	viewers, err := r.d.Store.HomeViewers(ctx, homeViewerTTL)
	if err != nil {
		return err
	}
	for _, u := range viewers {
		if ctx.Err() != nil {
			return nil // the next holder of the loop republishes them
		}
		r.PublishHome(ctx, u)
	}
	if ctx.Err() != nil {
		return nil
	}
	if _, err := r.d.Store.ForgetHomeViewers(ctx, homeViewerTTL); err != nil {
		r.d.Log.Warn("forget old home page viewers", "err", err)
	}
	return r.d.Store.MarkHomePublished(ctx, changes)
}
