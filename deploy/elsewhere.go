package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/daytwo"
	"dobot/progress"
	"dobot/watch"
)

// FollowElsewhere reports a deployment the bot did not start in channel
// (in the thread of thread, or as a new message when thread is ""), then follows it as its own: each phase, the outcome,
// and on failure the failing step's log.
func (b *Executor) FollowElsewhere(ctx context.Context, app dobot.App, d *godo.Deployment, channel, thread string) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	defer cancel()
	rep := progress.New(b.chat, b.log.With("app", app.Name, "deployment", d.ID), channel, chat.Ref{Channel: channel, ID: thread}, "")
	head := elsewhereMessage(app, d)
	if thread == "" {
		if err := rep.Start(ctx, head); err != nil {
			b.log.Warn("post a deployment started elsewhere", "app", app.Name, "err", err)
			return
		}
	} else {
		rep.Reply(ctx, head)
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
		st, err := b.DeploymentState(ctx, u.App, d.ID)
		if err != nil {
			continue
		}
		if st.Phase != last && !st.final() {
			rep.Reply(ctx, infoMessage(PhaseLine(st)))
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
func (b *Executor) endElsewhere(ctx context.Context, app dobot.App, d *godo.Deployment, st LaunchState, rep *progress.Reporter) {
	outcome := "live"
	switch godo.DeploymentPhase(st.Phase) {
	case godo.DeploymentPhase_Active:
		rep.Reply(ctx, infoMessage(fmt.Sprintf("%s The deployment of %s started elsewhere is live at %s", chat.IconOK, Escape(app.Name), Escape(orPending(st.URL)))))
	case godo.DeploymentPhase_Canceled, godo.DeploymentPhase_Superseded:
		outcome = strings.ToLower(st.Phase)
		rep.Reply(ctx, infoMessage(fmt.Sprintf("%s The deployment of %s started elsewhere ended: %s", chat.IconCanceled, Escape(app.Name), st.Failure)))
	default:
		outcome = "failed"
		rep.Reply(ctx, errorMessage(fmt.Sprintf("The deployment of %s started elsewhere failed: %s", Escape(app.Name), st.Failure)))
		op := dobot.Operation{App: app.Name, Sent: dobot.Sent{ResourceID: app.ResourceID, DeploymentID: d.ID}}
		b.attachFailureLogs(ctx, op, st.FailedStep, rep)
	}
	b.audit(ctx, b.log, dobot.AuditEntry{UserName: "DigitalOcean", Channel: channelOf(rep), Action: "do.deployment_elsewhere",
		Target: app.Name, Decision: "observed", Outcome: outcome, Error: st.Failure, Details: fmt.Sprintf("app_id=%s deployment_id=%s", app.ResourceID, d.ID)})
}

// elsewhereMessage announces a deployment the bot did not start: its
// cause, what it builds or runs, and its id.
func elsewhereMessage(app dobot.App, d *godo.Deployment) chat.Message {
	fields := []chat.Field{{Label: KindLabel(KindApp), Value: Escape(app.Name)}, {Label: "Cause", Value: Escape(daytwo.DeploymentCause(d))}}
	if c := daytwo.DeploymentCommit(d); c != "" {
		fields = append(fields, chat.Field{Label: "Commit", Value: "`" + Escape(c) + "`"})
	}
	if img := docloud.DeploymentImage(d); img != "" {
		fields = append(fields, chat.Field{Label: "Image", Value: Escape(img)})
	}
	fields = append(fields, chat.Field{Label: "Deployment", Value: "`" + Escape(d.ID) + "`"},
		chat.Field{Label: "Links", Value: LinksText(KindApp, app.ResourceID, "")})
	return chat.Message{
		Text:   fmt.Sprintf("%s A deployment of %s started outside the bot: %s", chat.IconLaunch, Escape(app.Name), Escape(daytwo.DeploymentCause(d))),
		Title:  fmt.Sprintf("%s Deployment of %s started elsewhere", chat.IconLaunch, Escape(app.Name)),
		Fields: fields,
	}
}

// channelOf is where rep posts.
func channelOf(rep *progress.Reporter) string { return rep.Head().Channel }
