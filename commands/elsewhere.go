package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud/daytwo"
	"dobot/watch"
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
	f := &daytwo.ElsewhereFinder{Apps: b.apps, Every: every, Now: b.now}
	started := b.now().Add(-clockSkew)
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
		k := daytwo.Known{CreatedAt: a.CreatedAt.Add(-clockSkew)}
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
		b.background("elsewhere "+d.ID, func(ctx context.Context) { b.followElsewhere(ctx, app, d) })
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

// followElsewhere reports a deployment the bot did not start where the
// app's messages go, then follows it as its own: each phase, the outcome,
// and on failure the failing step's log.
func (b *Bot) followElsewhere(ctx context.Context, app dobot.App, d *godo.Deployment) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	defer cancel()
	channel, thread := b.opHome(ctx, app)
	rep := &reporter{chat: b.chat, log: b.log.With("app", app.Name, "deployment", d.ID), channel: channel, ts: thread}
	head := elsewhereMessage(app, d)
	if thread == "" {
		if err := rep.start(ctx, head); err != nil {
			b.log.Warn("post a deployment started elsewhere", "app", app.Name, "err", err)
			return
		}
	} else {
		rep.reply(ctx, head)
	}
	b.audit(ctx, b.log, dobot.AuditEntry{UserID: "", UserName: "DigitalOcean", Channel: channel, Action: "do.deployment_elsewhere",
		Target: app.Name, Decision: "observed", Outcome: "started", Details: fmt.Sprintf("app_id=%s deployment_id=%s cause=%s", app.ResourceID, d.ID, daytwo.DeploymentCause(d))})
	updates, stop := b.watcher.Watch(app.ResourceID, d.CreatedAt)
	defer stop()
	last := ""
	for {
		var u watch.Update
		select {
		case <-ctx.Done():
			return
		case u = <-updates:
		}
		if u.Err != nil {
			if watch.IsNotFound(u.Err) {
				return
			}
			continue
		}
		st, err := b.deploymentState(ctx, u.App, d.ID)
		if err != nil {
			continue
		}
		if st.Phase != last && !st.final() {
			rep.reply(ctx, infoMessage(phaseLine(st)))
		}
		last = st.Phase
		if st.final() {
			b.endElsewhere(ctx, app, d, st, rep)
			return
		}
	}
}

// endElsewhere says how a deployment started elsewhere ended, with the
// failing step's log when it failed.
func (b *Bot) endElsewhere(ctx context.Context, app dobot.App, d *godo.Deployment, st launchState, rep *reporter) {
	outcome := "live"
	switch godo.DeploymentPhase(st.Phase) {
	case godo.DeploymentPhase_Active:
		rep.reply(ctx, infoMessage(fmt.Sprintf("%s The deployment of %s started elsewhere is live at %s", chat.IconOK, Escape(app.Name), Escape(orPending(st.URL)))))
	case godo.DeploymentPhase_Canceled, godo.DeploymentPhase_Superseded:
		outcome = strings.ToLower(st.Phase)
		rep.reply(ctx, infoMessage(fmt.Sprintf("%s The deployment of %s started elsewhere ended: %s", chat.IconCanceled, Escape(app.Name), st.Failure)))
	default:
		outcome = "failed"
		rep.reply(ctx, errorMessage(fmt.Sprintf("The deployment of %s started elsewhere failed: %s", Escape(app.Name), st.Failure)))
		op := dobot.Operation{App: app.Name, ResourceID: app.ResourceID, DeploymentID: d.ID}
		b.attachFailureLogs(ctx, op, st, rep)
	}
	b.audit(ctx, b.log, dobot.AuditEntry{UserName: "DigitalOcean", Channel: rep.channel, Action: "do.deployment_elsewhere",
		Target: app.Name, Decision: "observed", Outcome: outcome, Error: st.Failure, Details: fmt.Sprintf("app_id=%s deployment_id=%s", app.ResourceID, d.ID)})
}

// elsewhereMessage announces a deployment the bot did not start: its
// cause, what it builds or runs, and its id.
func elsewhereMessage(app dobot.App, d *godo.Deployment) Message {
	fields := []Field{{Label: kindLabel(kindApp), Value: Escape(app.Name)}, {Label: "Cause", Value: Escape(daytwo.DeploymentCause(d))}}
	if c := daytwo.DeploymentCommit(d); c != "" {
		fields = append(fields, Field{Label: "Commit", Value: "`" + Escape(c) + "`"})
	}
	if img := deploymentImage(d); img != "" {
		fields = append(fields, Field{Label: "Image", Value: Escape(img)})
	}
	fields = append(fields, Field{Label: "Deployment", Value: "`" + Escape(d.ID) + "`"},
		Field{Label: "Links", Value: linksText(kindApp, app.ResourceID, "")})
	return Message{
		Text:   fmt.Sprintf("%s A deployment of %s started outside the bot: %s", chat.IconLaunch, Escape(app.Name), Escape(daytwo.DeploymentCause(d))),
		Title:  fmt.Sprintf("%s Deployment of %s started elsewhere", chat.IconLaunch, Escape(app.Name)),
		Fields: fields,
	}
}

// deploymentImage names the image a deployment runs, from its spec's first
// image component: "ghcr.io/acme/web:1.2.4" or a digest.
func deploymentImage(d *godo.Deployment) string {
	if d.Spec == nil {
		return ""
	}
	var img *godo.ImageSourceSpec
	for _, s := range d.Spec.Services {
		if s.Image != nil {
			img = s.Image
			break
		}
	}
	if img == nil {
		for _, w := range d.Spec.Workers {
			if w.Image != nil {
				img = w.Image
				break
			}
		}
	}
	if img == nil {
		return ""
	}
	name := img.Repository
	if img.Registry != "" {
		name = img.Registry + "/" + name
	}
	switch {
	case img.Digest != "":
		return name + "@" + img.Digest
	case img.Tag != "":
		return name + ":" + img.Tag
	}
	return name
}
