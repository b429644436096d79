// Package follow follows an App Platform deployment to its end in an
// operation's thread: its state as a person reads it (phase, steps done,
// the failing step and DigitalOcean's reason), a reply at each phase
// change, the card kept current, the outcome recorded before it is said,
// and the failing step's log. The bot's own deployments and those started
// elsewhere are followed alike, through the shared watcher.
package follow

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
	"dobot/watch"
)

// progressUpdateGap is the least time between two updates of a head message
// for step progress alone; phase changes update at once. It keeps a
// two-minute launch within eight Slack requests.
const progressUpdateGap = 45 * time.Second

// Store is what a follow records: the deployment's id once known, and the
// app's removal when it vanished while deploying.
type Store interface {
	UpdateOperation(ctx context.Context, op dobot.Operation) error
	DeleteApp(ctx context.Context, name string) error
}

// Follower follows deployments. Its fields are set once, before use.
type Follower struct {
	Store   Store
	Apps    godo.AppsService
	Chat    chat.Chat // uploads a failed step's log
	Watcher *watch.Watcher
	HTTP    *http.Client // fetches a failed step's log; never http.DefaultClient
	// Finish ends an operation in a state, recording why.
	Finish func(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string)
	// Audit appends an audit row (and mirrors it); its error is logged.
	Audit func(ctx context.Context, e dobot.AuditEntry) error
	// Stopping says when the bot is stopping: a follow cut off then
	// resumes at the next start rather than fail.
	Stopping func() bool
	Timeout  time.Duration // limit for one operation's work and watching
	Now      func() time.Time
	Log      *slog.Logger
}

// Card is an operation's head message in deployment state st.
type Card func(op dobot.Operation, st State) chat.Message

// Deployment watches op's deployment until it is live or has failed,
// keeping the head message current with card and replying at each phase
// change. Launch, redeploy, rollback and the day-two changes all end here.
func (f *Follower) Deployment(ctx context.Context, op dobot.Operation, name string, card Card, rep *progress.Reporter) {
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	defer f.GiveUpIfTimedOut(ctx, &op, name, rep)
	updates, stop := f.Watcher.Watch(op.ResourceID, op.CreatedAt)
	defer stop()
	last := State{Phase: "starting"}
	var lastUpdate time.Time
	for {
		var u watch.Update
		select {
		case <-ctx.Done():
			return // shutdown or timeout: the operation stays running and resumes
		case u = <-updates:
		}
		if u.Err != nil {
			if watch.IsNotFound(u.Err) {
				f.endDeployment(ctx, &op, name, dobot.OpFailed, "app deleted while deploying")
				_ = f.Store.DeleteApp(ctx, name)
				rep.Final(ctx, errorMessage(fmt.Sprintf("%s disappeared from DigitalOcean before its deployment finished; it was deleted outside the bot.", name)))
				return
			}
			continue // transient: the watcher polls again at its pace
		}
		st, err := Lookup(ctx, f.Apps, u.App, op.DeploymentID)
		if err != nil {
			f.Log.Warn("read deployment", "op", op.ID, "err", err)
			continue
		}
		if op.DeploymentID == "" && st.DeploymentID != "" {
			op.DeploymentID = st.DeploymentID
			if err := f.Store.UpdateOperation(ctx, op); err != nil {
				f.Log.Error("record deployment id", "op", op.ID, "err", err)
			}
		}
		if st.Final() {
			// The operation is finished in the store before anyone sees the
			// outcome, on the card or in the thread, so a command typed the
			// instant "is live" appears never finds the app busy.
			f.endDeployment(ctx, &op, name, outcomeState(st), st.Failure)
		}
		switch {
		case st.Phase != last.Phase && waiting(st.Phase):
			rep.Reply(ctx, infoMessage(PhaseLine(st)))
		case st.Phase != last.Phase:
			rep.Update(ctx, card(op, st))
			lastUpdate = f.Now()
			if !st.Final() {
				rep.Reply(ctx, infoMessage(PhaseLine(st)))
			}
		case st.Components != last.Components && st.Components != "" && !st.Final():
			rep.Reply(ctx, infoMessage(st.Components))
		case progressChanged(last, st) && f.Now().Sub(lastUpdate) >= progressUpdateGap:
			rep.Update(ctx, card(op, st))
			lastUpdate = f.Now()
		}
		last = st
		if st.Final() {
			f.sayOutcome(ctx, op, name, st, rep)
			return
		}
	}
}

// outcomeState is the operation's state for a deployment that ended in st.
func outcomeState(st State) dobot.OpState {
	switch godo.DeploymentPhase(st.Phase) {
	case godo.DeploymentPhase_Active:
		return dobot.OpSucceeded
	case godo.DeploymentPhase_Canceled:
		return dobot.OpCanceled
	}
	return dobot.OpFailed
}

// sayOutcome is the last word of a deployment that ended in st: where it
// is live, or why it is not, with the failing step's log.
func (f *Follower) sayOutcome(ctx context.Context, op dobot.Operation, name string, st State, rep *progress.Reporter) {
	switch godo.DeploymentPhase(st.Phase) {
	case godo.DeploymentPhase_Active:
		rep.Final(ctx, chat.Message{Text: fmt.Sprintf(chat.IconOK+" %s is live at %s", name, reply.Escape(orPending(st.URL)))})
	case godo.DeploymentPhase_Canceled:
		rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconCanceled+" The deployment of %s was canceled. The app stays; `/do teardown %s` removes it.", name, name)))
	default:
		rep.Final(ctx, errorMessage(fmt.Sprintf("%s failed: %s", name, st.Failure)))
		f.attachFailureLogs(ctx, op, st.FailedStep, rep)
	}
}

// endDeployment records a deployment's outcome in the operation and the audit.
func (f *Follower) endDeployment(ctx context.Context, op *dobot.Operation, name string, state dobot.OpState, why string) {
	if ops.Lost(ctx) {
		return // the replica holding it now records the outcome
	}
	f.Finish(ctx, op, state, why)
	outcome := "live"
	if state != dobot.OpSucceeded {
		outcome = string(state)
	}
	f.audit(ctx, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "do.deployment", Target: name, Decision: "allowed",
		Outcome: outcome, Error: why, Details: fmt.Sprintf("%s app_id=%s deployment_id=%s", op.Action, op.ResourceID, op.DeploymentID)})
}

// GiveUpIfTimedOut ends an operation whose watch ran out of time while the
// bot keeps running: it is failed and said so, rather than left holding
// the app. At shutdown it stays running, to resume at the next start.
func (f *Follower) GiveUpIfTimedOut(ctx context.Context, op *dobot.Operation, name string, rep *progress.Reporter) {
	if ctx.Err() == nil || op.State.Final() {
		return
	}
	if f.Stopping() || ops.Lost(ctx) {
		return // resumed at the next start, or by the replica that took it
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	why := fmt.Sprintf("stopped watching after %s without an outcome", f.Timeout)
	f.Finish(ctx, op, dobot.OpFailed, why)
	rep.Final(ctx, errorMessage(fmt.Sprintf("The bot %s for %s. DigitalOcean may still finish it: `/do status %s` shows where it is.", why, name, name)))
}

// audit records e, logging a failure.
func (f *Follower) audit(ctx context.Context, e dobot.AuditEntry) {
	if err := f.Audit(ctx, e); err != nil {
		f.Log.Error("append audit", "action", e.Action, "err", err)
	}
}

func errorMessage(text string) chat.Message { return chat.Message{Text: chat.IconWarning + " " + text} }
func infoMessage(text string) chat.Message  { return chat.Message{Text: text} }
