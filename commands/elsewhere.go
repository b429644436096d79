package commands

import (
	"context"
	"errors"
	"time"

	"dobot"
	"dobot/docloud/daytwo"
)

// DeploymentMarks is the store's record of the deployments started
// elsewhere that the bot reported, so that a restart does not report them
// again. A store without it reports nothing started elsewhere.
type DeploymentMarks interface {
	DeploymentMarks(ctx context.Context) (map[string]dobot.DeploymentMark, error)
	SetDeploymentMark(ctx context.Context, m dobot.DeploymentMark) error
}

// defaultElsewhereEvery is how often the bot lists the apps to find
// deployments it did not start: one GET /v2/apps a minute.
const defaultElsewhereEvery = time.Minute

// elsewhereSkew allows for the clocks of the bot and DigitalOcean to
// differ when comparing a deployment's creation with the bot's start.
const elsewhereSkew = time.Minute

// elsewhereLoop finds deployments of managed apps started by a push, the
// control panel or doctl, and reports each in its app's thread. It runs on
// one replica at a time (Leases.Loop "loop:elsewhere").
func (b *Bot) elsewhereLoop(ctx context.Context) {
	marks := b.eng.marks
	if marks == nil {
		return
	}
	every := b.cfg.ElsewhereEvery
	if every <= 0 {
		every = defaultElsewhereEvery
	}
	f := &daytwo.ElsewhereFinder{Apps: b.cloud.Apps, Every: every, Now: b.now}
	started := b.now().Add(-elsewhereSkew)
	// The first pass waits an interval too: a start costs no request.
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := b.findElsewhere(ctx, f, marks, started); err != nil && ctx.Err() == nil {
			b.log.Warn("find deployments started elsewhere", "err", err)
		}
	}
}

// findElsewhere makes one pass: the managed apps that nothing of the
// bot's is running on, their marks, and a report of each deployment newer
// than its mark that no operation of the bot's started. An app that has
// never had a mark is marked silently with what it ran before the bot
// started, so a first start (or an upgrade) does not report history.
func (b *Bot) findElsewhere(ctx context.Context, f *daytwo.ElsewhereFinder, marks DeploymentMarks, started time.Time) error {
	apps, err := b.store.Apps(ctx)
	if err != nil {
		return err
	}
	busy, err := b.busyApps(ctx)
	if err != nil {
		return err
	}
	known, err := marks.DeploymentMarks(ctx)
	if err != nil {
		return err
	}
	managed, byID := map[string]daytwo.Known{}, map[string]dobot.App{}
	for _, a := range apps {
		if a.Kind != kindApp || a.ResourceID == "" || busy[a.Name] {
			continue
		}
		byID[a.ResourceID] = a
		k := daytwo.Known{CreatedAt: a.CreatedAt.Add(-elsewhereSkew)}
		if m, ok := known[a.ResourceID]; ok {
			k = daytwo.Known{DeploymentID: m.DeploymentID, CreatedAt: m.CreatedAt}
		}
		managed[a.ResourceID] = k
	}
	ours, err := b.botDeployments(ctx, byID)
	if err != nil {
		return err
	}
	found, _, err := f.Find(ctx, managed, func(id string) bool { return ours[id] })
	for _, e := range found {
		app := byID[e.AppID]
		mark := dobot.DeploymentMark{AppID: e.AppID, DeploymentID: e.Deployment.ID, CreatedAt: e.Deployment.CreatedAt}
		// Marked before it is reported: a crash in between loses one
		// report rather than making two.
		if merr := marks.SetDeploymentMark(ctx, mark); merr != nil {
			return errors.Join(err, merr)
		}
		_, hadMark := known[e.AppID]
		if !hadMark && e.Deployment.CreatedAt.Before(started) {
			continue
		}
		d := e.Deployment
		channel, thread := b.opHome(ctx, app)
		b.background("elsewhere "+d.ID, func(ctx context.Context) { b.exec.FollowElsewhere(ctx, app, d, channel, thread) })
	}
	return err
}

// busyApps are the apps an unfinished operation of the bot's holds: a
// deployment appearing on them is most likely the bot's own, not yet
// recorded, so they wait for the next pass.
func (b *Bot) busyApps(ctx context.Context) (map[string]bool, error) {
	ops, err := b.store.UnfinishedOperations(ctx)
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
func (b *Bot) botDeployments(ctx context.Context, apps map[string]dobot.App) (map[string]bool, error) {
	out := map[string]bool{}
	for id := range apps {
		ops, err := b.store.OperationsOn(ctx, id)
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
