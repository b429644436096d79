package watch

import (
	"context"
	"encoding/json"
	"time"

	"github.com/digitalocean/godo"
)

// Shared is how replicas on one database share DigitalOcean's request
// budget, which is per token, not per process. Whichever replica is due
// first claims the poll, lists every app once and stores what it read; the
// others read that from the store instead of asking DigitalOcean. So
// however many replicas watch deployments, DigitalOcean sees at most one
// list per the fastest pace's interval, as from one replica.
type Shared interface {
	// ClaimPoll reports whether this replica may poll now: true at most
	// once per interval among all replicas.
	ClaimPoll(ctx context.Context, interval time.Duration) (bool, error)
	// SaveSnapshots stores what was read of each app (id → JSON), as read
	// now.
	SaveSnapshots(ctx context.Context, bodies map[string][]byte) error
	// Snapshots returns what was last stored of the apps ids.
	Snapshots(ctx context.Context, ids []string) (map[string]Snapshot, error)
}

// Snapshot is an app as a replica read it, and when.
type Snapshot struct {
	Body   []byte // the app's JSON
	ReadAt time.Time
}

// sharedRetry is how soon a replica that found nothing newer in the store
// looks again: cheap (a read of the database), and well within the time a
// phase change may take to show.
const sharedRetry = time.Second

// starvedAfter is the least time without news after which a replica asks
// for an app itself.
const starvedAfter = 10 * time.Second

// Share makes w share its request budget through s. Call it before Run.
func (w *Watcher) Share(s Shared) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.shared, w.every = s, w.pace(0)
}

// pollShared polls DigitalOcean when this replica may, storing what it
// read for the others, and otherwise delivers what another replica read.
func (w *Watcher) pollShared(ctx context.Context, due map[string]bool) {
	mine, err := w.shared.ClaimPoll(ctx, w.every)
	if err != nil {
		w.log.Warn("claim the shared poll", "err", err)
		w.retry(due)
		return
	}
	if mine {
		seen, apps, err := w.listAll(ctx)
		if err != nil {
			for id := range due {
				w.deliverErr(id, err)
			}
			return
		}
		bodies := make(map[string][]byte, len(apps))
		for _, app := range apps {
			if b, err := json.Marshal(app); err == nil {
				bodies[app.ID] = b
			}
		}
		if err := w.shared.SaveSnapshots(ctx, bodies); err != nil {
			w.log.Warn("store what was polled for the other replicas", "err", err)
		}
		w.getMissing(ctx, due, seen)
		return
	}
	ids := make([]string, 0, len(due))
	for id := range due {
		ids = append(ids, id)
	}
	snaps, err := w.shared.Snapshots(ctx, ids)
	if err != nil {
		w.log.Warn("read what another replica polled", "err", err)
		w.retry(due)
		return
	}
	stale := map[string]bool{}
	for id := range due {
		if snap, ok := snaps[id]; ok && w.deliverSnapshot(id, snap) {
			continue
		}
		if w.starved(id) {
			stale[id] = true // not in anyone's list for long: ask for it alone
			continue
		}
		w.retry(map[string]bool{id: true})
	}
	for id := range stale {
		app, resp, err := w.apps.Get(ctx, id)
		w.noteRate(resp)
		if err != nil {
			w.deliverErr(id, err)
			continue
		}
		w.deliver(app)
	}
}

// deliverSnapshot hands snap to the subscribers of appID that have not
// seen anything as recent, and reports whether any had not.
func (w *Watcher) deliverSnapshot(appID string, snap Snapshot) bool {
	var app godo.App
	if err := json.Unmarshal(snap.Body, &app); err != nil {
		w.log.Warn("stored app snapshot does not decode", "app", appID, "err", err)
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	newer := false
	for _, s := range w.subs {
		if s.appID != appID || !s.seen.Before(snap.ReadAt) {
			continue
		}
		newer = true
		s.due = now.Add(w.pace(now.Sub(s.started)))
		s.seen = snap.ReadAt
		send(s.ch, Update{App: &app})
	}
	return newer
}

// starved reports whether a subscriber of appID has had no news for much
// longer than the polls should take: the app is missing from the lists
// (deleted), and only a request of its own tells why.
func (w *Watcher) starved(appID string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	for _, s := range w.subs {
		if s.appID == appID && now.Sub(s.seen) > max(3*w.every+w.pace(now.Sub(s.started)), starvedAfter) {
			return true
		}
	}
	return false
}

// retry looks for the apps again soon.
func (w *Watcher) retry(ids map[string]bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	next := w.now().Add(min(sharedRetry, w.every))
	for _, s := range w.subs {
		if ids[s.appID] {
			s.due = next
		}
	}
}
