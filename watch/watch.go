// Package watch polls DigitalOcean for the apps whose deployments the bot is
// following. One loop serves every watcher, so the request rate stays within
// DigitalOcean's limits however many deployments are in flight: when several
// apps are due it lists them all in one request (GET /v2/apps returns each app
// with its in-progress deployment), and each app's pace slows as its
// deployment ages.
package watch

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/digitalocean/godo"
)

// Update is the latest state of a watched app, or why it could not be read.
type Update struct {
	App *godo.App
	Err error
}

// Pace is how often to poll an app whose deployment started age ago: often
// at first, when phases change quickly, and less for long builds.
type Pace func(age time.Duration) time.Duration

// DefaultPace polls at 5 s for the first 20 s, then 10 s until a minute,
// then 15 s, and 25 s after ten minutes. A two-minute deployment costs about
// twelve requests, and any phase change shows within 30 s.
func DefaultPace(age time.Duration) time.Duration {
	switch {
	case age < 20*time.Second:
		return 5 * time.Second
	case age < time.Minute:
		return 10 * time.Second
	case age < 10*time.Minute:
		return 15 * time.Second
	}
	return 25 * time.Second
}

// Fixed polls every d whatever the deployment's age.
func Fixed(d time.Duration) Pace {
	return func(time.Duration) time.Duration { return d }
}

// listPageSize is the most apps DigitalOcean returns in one page.
const listPageSize = 200

// batchWindow groups apps due within it into one poll.
const batchWindow = time.Second

// Watcher polls the apps that have subscribers.
type Watcher struct {
	apps godo.AppsService
	log  *slog.Logger
	pace Pace
	now  func() time.Time

	mu     sync.Mutex
	subs   map[int]*sub
	nextID int
	wake   chan struct{}
	// pauseUntil holds polling when DigitalOcean says the budget is spent.
	pauseUntil time.Time
	// shared, when set, shares the request budget with other replicas;
	// see Share.
	shared Shared
	every  time.Duration // the shortest time between two polls by any replica
}

type sub struct {
	appID   string
	started time.Time
	due     time.Time
	seen    time.Time   // when the state last delivered was read
	ch      chan Update // capacity 1: the latest state wins
}

// New returns a Watcher. Run must be called for it to poll.
func New(apps godo.AppsService, log *slog.Logger, pace Pace) *Watcher {
	if pace == nil {
		pace = DefaultPace
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{apps: apps, log: log.With("component", "watch"), pace: pace, now: time.Now,
		subs: map[int]*sub{}, wake: make(chan struct{}, 1)}
}

// Watch subscribes to appID. The first poll happens after the pace's first
// interval. Call stop when done; the channel is never closed.
func (w *Watcher) Watch(appID string, since time.Time) (updates <-chan Update, stop func()) {
	w.mu.Lock()
	id := w.nextID
	w.nextID++
	now := w.now()
	if since.IsZero() || since.After(now) {
		since = now
	}
	s := &sub{appID: appID, started: since, due: now.Add(w.pace(now.Sub(since))), seen: now, ch: make(chan Update, 1)}
	w.subs[id] = s
	w.mu.Unlock()
	w.poke()
	return s.ch, func() {
		w.mu.Lock()
		delete(w.subs, id)
		w.mu.Unlock()
	}
}

func (w *Watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run polls until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait, ok := w.untilNext()
		if !ok {
			wait = time.Hour
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
			continue
		case <-timer.C:
		}
		w.pollDue(ctx)
	}
}

// untilNext is the time until the earliest due subscriber.
func (w *Watcher) untilNext() (time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.subs) == 0 {
		return 0, false
	}
	now := w.now()
	var earliest time.Time
	for _, s := range w.subs {
		if earliest.IsZero() || s.due.Before(earliest) {
			earliest = s.due
		}
	}
	if earliest.Before(w.pauseUntil) {
		earliest = w.pauseUntil
	}
	return max(earliest.Sub(now), 0), true
}

// dueApps returns the ids of apps due now (within the batch window).
func (w *Watcher) dueApps() map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	if now.Before(w.pauseUntil) {
		return nil
	}
	due := map[string]bool{}
	for _, s := range w.subs {
		if !s.due.After(now.Add(batchWindow)) {
			due[s.appID] = true
		}
	}
	return due
}

func (w *Watcher) pollDue(ctx context.Context) {
	due := w.dueApps()
	if len(due) == 0 {
		return
	}
	if w.shared != nil {
		w.pollShared(ctx, due)
		return
	}
	if len(due) == 1 {
		for id := range due {
			app, resp, err := w.apps.Get(ctx, id)
			w.noteRate(resp)
			if err != nil {
				w.deliverErr(id, err)
				return
			}
			w.deliver(app)
		}
		return
	}
	seen, _, err := w.listAll(ctx)
	if err != nil {
		for id := range due {
			w.deliverErr(id, err)
		}
		return
	}
	w.getMissing(ctx, due, seen)
}

// getMissing asks for each due app missing from the list alone: it may
// have been deleted, and its subscriber gets DigitalOcean's own answer.
func (w *Watcher) getMissing(ctx context.Context, due, seen map[string]bool) {
	for id := range due {
		if !seen[id] {
			_, resp, err := w.apps.Get(ctx, id)
			w.noteRate(resp)
			if err == nil {
				err = errors.New("app missing from the app list")
			}
			w.deliverErr(id, err)
		}
	}
}

// listAll lists every app, delivering each to its subscribers, and returns
// the ids it saw and the apps.
func (w *Watcher) listAll(ctx context.Context) (map[string]bool, []*godo.App, error) {
	seen := map[string]bool{}
	var all []*godo.App
	opt := &godo.ListOptions{Page: 1, PerPage: listPageSize}
	for {
		apps, resp, err := w.apps.List(ctx, opt)
		w.noteRate(resp)
		if err != nil {
			return seen, all, err
		}
		for _, app := range apps {
			seen[app.ID] = true
			w.deliver(app)
		}
		all = append(all, apps...)
		if resp == nil || resp.Links == nil || resp.Links.IsLastPage() {
			return seen, all, nil
		}
		page, err := resp.Links.CurrentPage()
		if err != nil {
			return seen, all, nil
		}
		opt.Page = page + 1
	}
}

// deliver hands app to its subscribers and schedules their next poll.
func (w *Watcher) deliver(app *godo.App) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	for _, s := range w.subs {
		if s.appID != app.ID {
			continue
		}
		s.due = now.Add(w.pace(now.Sub(s.started)))
		s.seen = now
		send(s.ch, Update{App: app})
	}
}

// deliverErr tells subscribers of appID that it could not be read. A
// transient error is retried at the app's pace.
func (w *Watcher) deliverErr(appID string, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	for _, s := range w.subs {
		if s.appID != appID {
			continue
		}
		s.due = now.Add(w.pace(now.Sub(s.started)))
		send(s.ch, Update{Err: err})
	}
	if !IsNotFound(err) {
		w.log.Warn("poll app", "app", appID, "err", err)
	}
}

// send replaces any unread update with u, so a slow reader sees the latest.
func send(ch chan Update, u Update) {
	for {
		select {
		case ch <- u:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// noteRate pauses polling when DigitalOcean's remaining budget runs low,
// until its reset time.
func (w *Watcher) noteRate(resp *godo.Response) {
	if resp == nil || resp.Rate.Limit == 0 {
		return
	}
	if resp.Rate.Remaining > resp.Rate.Limit/20 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	until := resp.Rate.Reset.Time
	if max := w.now().Add(time.Minute); until.After(max) {
		until = max
	}
	if until.After(w.pauseUntil) {
		w.pauseUntil = until
		w.log.Warn("DigitalOcean rate budget low; pausing polls", "remaining", resp.Rate.Remaining, "until", until)
	}
}

// IsNotFound reports whether err is DigitalOcean's 404.
func IsNotFound(err error) bool {
	var de *godo.ErrorResponse
	return errors.As(err, &de) && de.Response != nil && de.Response.StatusCode == http.StatusNotFound
}

// Interval is the pace for something that started age ago, for callers that
// poll other resources (droplets, actions) at the same pace.
func (w *Watcher) Interval(age time.Duration) time.Duration { return w.pace(age) }
