package commands

import (
	"context"
	"fmt"
	"slices"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops/binding"
	"dobot/ops/cancel"
	"dobot/ops/elsewhere"
	"dobot/ops/manage"
	"dobot/ops/pipeline"
	"dobot/ops/resume"
	"dobot/ops/ttl"
	"dobot/progress"
	"dobot/requests"
)

// opsSide are the packages of the durable operation machinery beyond
// package ops itself: each built from narrow dependencies in wireOps.
type opsSide struct {
	binder   *binding.Binder    // approvals bound to what was approved
	ttl      *ttl.TTL           // apps launched with --ttl
	reminder *requests.Reminder // approvers reminded of expiring requests
	resume   *resume.Resumer    // operations run under their lease, and resumed
	finder   *elsewhere.Finder  // deployments started elsewhere
	cancel   *cancel.Canceler   // requests withdrawn, deployments canceled
	manage   *manage.Manager    // apps adopted and forgotten
	pipe     *pipeline.Pipeline // commands run as operations; decisions applied
}

// wireOps builds the operation machinery's packages.
func (b *Bot) wireOps(d Deps) {
	b.svc.ops.binder = binding.New(binding.Deps{Store: d.Store, Apps: d.Cloud.Apps, Chat: d.Chat, Preflight: b.plan.Preflight,
		SentSpec: func(op dobot.Operation) (string, bool) {
			return sentSpecHash(op), slices.Contains(specChangeActions, op.Action)
		},
		Open: b.eng.ops.Open, Finish: b.exec.Finish, Ask: b.askAgain, Reporter: b.reporterFor,
		Audit: b.auditLogged, Log: b.log})
	b.svc.ops.pipe = pipeline.New(pipeline.Deps{Store: d.Store, Holds: b.svc.holds, Desk: b.eng.desk, Binder: b.svc.ops.binder,
		Open: b.eng.ops.Open, Finish: b.exec.Finish, Policy: b.policyFor, Cost: b.costApproval, Route: b.svc.routes.RouteOp,
		Busy: deploy.BusyText, Head: b.head, Reporter: b.reporterFor, Start: b.start,
		Tell: func(ctx context.Context, to pipeline.Asker, m chat.Message) {
			b.tell(ctx, Request{Ref: to.Ref, UserID: to.UserID, UserName: to.UserName, ChannelID: to.ChannelID, ResponseURL: to.ResponseURL}, m)
		}})
	b.svc.ops.ttl = ttl.New(ttl.Deps{Store: d.Store, Chat: d.Chat, Now: b.now, Log: b.log, MaxTTL: b.cfg.maxTTL(),
		ManagedApp: b.plan.ManagedApp, Held: b.svc.holds.ExpiryHeld, Notice: b.appNotice, Home: b.opHome,
		Reporter: b.reporterFor, StartRouted: b.startRouted, Start: b.start, Audit: b.auditLogged})
	b.svc.ops.resume = resume.New(resume.Deps{Store: d.Store, Leases: b.eng.leases, Launches: b.exec, Observer: b.observe, Log: b.log,
		ShowPending: b.eng.desk.ShowPending, Unfinished: b.eng.ops.Unfinished, Background: b.background,
		Reporter: b.reporterFor, Head: b.head, Run: b.runAction})
	b.svc.ops.finder = elsewhere.New(elsewhere.Deps{Store: d.Store, Marks: b.eng.marks, Apps: d.Cloud.Apps, Now: b.now, Log: b.log,
		Every: b.cfg.ElsewhereEvery, Home: b.opHome,
		Follow: func(app dobot.App, dep *godo.Deployment, channel, thread string) {
			b.background("elsewhere "+dep.ID, func(ctx context.Context) { b.exec.FollowElsewhere(ctx, app, dep, channel, thread) })
		}})
	b.svc.ops.cancel = cancel.New(cancel.Deps{Carded: b.eng.approvals.Carded, Withdraw: b.eng.ops.Withdraw, Show: b.eng.desk.Show,
		Mirror: b.mirror, Reporter: b.reporterFor, Raw: b.exec.Raw})
	b.svc.ops.manage = manage.New(manage.Deps{Store: d.Store, Finder: b.plan, Chat: d.Chat, Now: b.now, Log: b.log})
	b.svc.ops.reminder = &requests.Reminder{Store: d.Store, Chat: d.Chat, Now: b.now, Log: b.log, ApprovalTTL: b.cfg.ApprovalTTL}
}

// auditLogged appends e to the audit trail, logging a failure.
func (b *Bot) auditLogged(ctx context.Context, e dobot.AuditEntry) { b.audit(ctx, b.log, e) }

// askAgain puts op, a request asking again for what void asked for, up
// for decision, telling void's requester.
func (b *Bot) askAgain(ctx context.Context, void, op dobot.Operation, summary string, fields []chat.Field) error {
	from := pipeline.Asker{Ref: fmt.Sprintf("request-%d", void.ID), UserID: void.Requester, UserName: void.RequesterName, ChannelID: void.Channel, ResponseURL: void.ResponseURL}
	return b.svc.ops.pipe.RequestApproval(ctx, from, op, &Plan{Op: op, Summary: summary, Fields: fields})
}

// runAction runs op's executor, reporting false when its action has none
// (or runs at once, and so never as an operation).
func (b *Bot) runAction(ctx context.Context, op dobot.Operation, rep *progress.Reporter) bool {
	exec := b.table.actions[op.Action]
	if exec == nil || exec.Immediate {
		return false
	}
	exec.Run(ctx, b.exec, op, rep)
	return true
}
