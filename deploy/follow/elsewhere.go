package follow

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud/daytwo"
	"dobot/progress"
	"dobot/reply"
	"dobot/watch"
)

// Elsewhere reports a deployment the bot did not start in channel, with
// head (in the thread of thread, or as a new message when thread is ""),
// then follows it as its own: each phase, the outcome, and on failure the
// failing step's log.
func (f *Follower) Elsewhere(ctx context.Context, app dobot.App, d *godo.Deployment, head chat.Message, channel, thread string) {
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	log := f.Log.With("app", app.Name, "deployment", d.ID)
	rep := progress.New(f.Chat, log, channel, chat.Ref{Channel: channel, ID: thread}, "")
	if thread == "" {
		if err := rep.Start(ctx, head); err != nil {
			f.Log.Warn("post a deployment started elsewhere", "app", app.Name, "err", err)
			return
		}
	} else {
		rep.Reply(ctx, head)
	}
	f.audit(ctx, dobot.AuditEntry{UserID: "", UserName: "DigitalOcean", Channel: channel, Action: "do.deployment_elsewhere",
		Target: app.Name, Decision: "observed", Outcome: "started", Details: fmt.Sprintf("app_id=%s deployment_id=%s cause=%s", app.ResourceID, d.ID, daytwo.DeploymentCause(d))})
	updates, stop := f.Watcher.Watch(app.ResourceID, d.CreatedAt)
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
		st, err := Lookup(ctx, f.Apps, u.App, d.ID)
		if err != nil {
			continue
		}
		if st.Phase != last && !st.Final() {
			rep.Reply(ctx, infoMessage(PhaseLine(st)))
		}
		last = st.Phase
		if st.Final() {
			f.endElsewhere(ctx, app, d, st, rep)
			return
		}
	}
}

// endElsewhere says how a deployment started elsewhere ended, with the
// failing step's log when it failed.
func (f *Follower) endElsewhere(ctx context.Context, app dobot.App, d *godo.Deployment, st State, rep *progress.Reporter) {
	outcome := "live"
	switch godo.DeploymentPhase(st.Phase) {
	case godo.DeploymentPhase_Active:
		rep.Reply(ctx, infoMessage(fmt.Sprintf("%s The deployment of %s started elsewhere is live at %s", chat.IconOK, reply.Escape(app.Name), reply.Escape(orPending(st.URL)))))
	case godo.DeploymentPhase_Canceled, godo.DeploymentPhase_Superseded:
		outcome = strings.ToLower(st.Phase)
		rep.Reply(ctx, infoMessage(fmt.Sprintf("%s The deployment of %s started elsewhere ended: %s", chat.IconCanceled, reply.Escape(app.Name), st.Failure)))
	default:
		outcome = "failed"
		rep.Reply(ctx, errorMessage(fmt.Sprintf("The deployment of %s started elsewhere failed: %s", reply.Escape(app.Name), st.Failure)))
		op := dobot.Operation{App: app.Name, Sent: dobot.Sent{ResourceID: app.ResourceID, DeploymentID: d.ID}}
		f.attachFailureLogs(ctx, op, st.FailedStep, rep)
	}
	f.audit(ctx, dobot.AuditEntry{UserName: "DigitalOcean", Channel: rep.Head().Channel, Action: "do.deployment_elsewhere",
		Target: app.Name, Decision: "observed", Outcome: outcome, Error: st.Failure, Details: fmt.Sprintf("app_id=%s deployment_id=%s", app.ResourceID, d.ID)})
}
