// Package elsewhere finds the deployments of managed apps that something
// other than the bot started (a push, the control panel, doctl) and hands
// each to the caller to follow in its app's thread, once: each is marked
// in the store before it is reported, so a crash loses a report rather
// than making two.
package elsewhere

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/deploy"
	"dobot/docloud/daytwo"
)

// Marks is the store's record of the deployments started elsewhere that
// the bot reported, so that a restart does not report them again. A store
// without it reports nothing started elsewhere.
type Marks interface {
	DeploymentMarks(ctx context.Context) (map[string]dobot.DeploymentMark, error)
	SetDeploymentMark(ctx context.Context, m dobot.DeploymentMark) error
}

// Store is what a pass reads: the managed apps, the operations that hold
// them, and the deployments the bot's own operations started.
type Store interface {
	Apps(ctx context.Context) ([]dobot.App, error)
	UnfinishedOperations(ctx context.Context) ([]dobot.Operation, error)
	OperationsOn(ctx context.Context, resourceID string) ([]dobot.Operation, error)
}

// DefaultEvery is how often the bot lists the apps to find deployments it
// did not start: one GET /v2/apps a minute.
const DefaultEvery = time.Minute

// skew allows for the clocks of the bot and DigitalOcean to differ when
// comparing a deployment's creation with the bot's start.
const skew = time.Minute

// Deps are a Finder's collaborators.
type Deps struct {
	Store Store
	Marks Marks
	Apps  godo.AppsService
	Now   func() time.Time
	Log   *slog.Logger
	Every time.Duration // between two passes; 0: DefaultEvery
	// Home is where app's messages go: its launch thread, or a new
	// message in its watch channel (thread "").
	Home func(ctx context.Context, app dobot.App) (channel, thread string)
	// Follow reports and follows d, in the background.
	Follow func(app dobot.App, d *godo.Deployment, channel, thread string)
}

// Finder looks for deployments started elsewhere.
type Finder struct{ d Deps }

// New returns a Finder.
func New(d Deps) *Finder {
	if d.Every <= 0 {
		d.Every = DefaultEvery
	}
	return &Finder{d: d}
}

// Loop looks every interval until ctx ends. It runs on one replica at a
// time (Leases.Loop "loop:elsewhere"); without marks it returns at once.
func (e *Finder) Loop(ctx context.Context) {
	if e.d.Marks == nil {
		return
	}
	f := &daytwo.ElsewhereFinder{Apps: e.d.Apps, Every: e.d.Every, Now: e.d.Now}
	started := e.d.Now().Add(-skew)
	// The first pass waits an interval too: a start costs no request.
	t := time.NewTicker(e.d.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := e.pass(ctx, f, started); err != nil && ctx.Err() == nil {
			e.d.Log.Warn("find deployments started elsewhere", "err", err)
		}
	}
}

// pass makes one pass: the managed apps that nothing of the bot's is
// running on, their marks, and a report of each deployment newer than its
// mark that no operation of the bot's started. An app that has never had a
// mark is marked silently when its deployment is older than started, so a
// first start (or an upgrade) does not report history.
func (e *Finder) pass(ctx context.Context, f *daytwo.ElsewhereFinder, started time.Time) error {
	apps, err := e.d.Store.Apps(ctx)
	if err != nil {
		return err
	}
	busy, err := e.busyApps(ctx)
	if err != nil {
		return err
	}
	known, err := e.d.Marks.DeploymentMarks(ctx)
	if err != nil {
		return err
	}
	managed, byID := map[string]daytwo.Known{}, map[string]dobot.App{}
	for _, a := range apps {
		if a.Kind != deploy.KindApp || a.ResourceID == "" || busy[a.Name] {
			continue
		}
		byID[a.ResourceID] = a
		k := daytwo.Known{CreatedAt: a.CreatedAt.Add(-skew)}
		if m, ok := known[a.ResourceID]; ok {
			k = daytwo.Known{DeploymentID: m.DeploymentID, CreatedAt: m.CreatedAt}
		}
		managed[a.ResourceID] = k
	}
	ours, err := e.botDeployments(ctx, byID)
	if err != nil {
		return err
	}
	found, _, err := f.Find(ctx, managed, func(id string) bool { return ours[id] })
	// The bot may have started a deployment while the apps were being
	// listed. Its operation is stored before the create call, and its
	// deployment id before the operation finishes, so reading them again
	// after the listing finds every deployment of the bot's it shows.
	found, rerr := e.notOurs(ctx, found, byID)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	for _, x := range found {
		app := byID[x.AppID]
		mark := dobot.DeploymentMark{AppID: x.AppID, DeploymentID: x.Deployment.ID, CreatedAt: x.Deployment.CreatedAt}
		// Marked before it is reported: a crash in between loses one
		// report rather than making two.
		if merr := e.d.Marks.SetDeploymentMark(ctx, mark); merr != nil {
			return errors.Join(err, merr)
		}
		_, hadMark := known[x.AppID]
		if !hadMark && x.Deployment.CreatedAt.Before(started) {
			continue
		}
		channel, thread := e.d.Home(ctx, app)
		e.d.Follow(app, x.Deployment, channel, thread)
	}
	return err
}

// notOurs is found without the deployments on apps an unfinished
// operation of the bot's now holds, or that an operation of the bot's
// records as its own. A deployment left out is looked at again next pass.
func (e *Finder) notOurs(ctx context.Context, found []daytwo.Elsewhere, byID map[string]dobot.App) ([]daytwo.Elsewhere, error) {
	if len(found) == 0 {
		return nil, nil
	}
	busy, err := e.busyApps(ctx)
	if err != nil {
		return nil, err
	}
	ours, err := e.botDeployments(ctx, byID)
	if err != nil {
		return nil, err
	}
	var out []daytwo.Elsewhere
	for _, x := range found {
		if !busy[byID[x.AppID].Name] && !ours[x.Deployment.ID] {
			out = append(out, x)
		}
	}
	return out, nil
}

// busyApps are the apps an unfinished operation of the bot's holds: a
// deployment appearing on them is most likely the bot's own, not yet
// recorded, so they wait for the next pass.
func (e *Finder) busyApps(ctx context.Context) (map[string]bool, error) {
	ops, err := e.d.Store.UnfinishedOperations(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, op := range ops {
		out[op.App] = true
	}
	return out, nil
}

// botDeployments are the ids of the deployments the bot's own
// operations started on apps.
func (e *Finder) botDeployments(ctx context.Context, apps map[string]dobot.App) (map[string]bool, error) {
	out := map[string]bool{}
	for id := range apps {
		ops, err := e.d.Store.OperationsOn(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, op := range ops {
			if op.DeploymentID != "" {
				out[op.DeploymentID] = true
			}
		}
	}
	return out, nil
}
