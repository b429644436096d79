package commands

import (
	"context"
	"fmt"

	"dobot"
	"dobot/chat"
	"dobot/ops/binding"
)

// opsSide are the packages of the durable operation machinery beyond
// package ops itself: each built from narrow dependencies in wireOps.
type opsSide struct {
	binder *binding.Binder // approvals bound to what was approved
}

// wireOps builds the operation machinery's packages.
func (b *Bot) wireOps(d Deps) {
	b.svc.ops.binder = binding.New(binding.Deps{Store: d.Store, Apps: d.Cloud.Apps, Chat: d.Chat, Preflight: b.plan.Preflight,
		SentSpec: func(op dobot.Operation) (string, bool) {
			return sentSpecHash(op), containsString(specChangeActions, op.Action)
		},
		Open: b.eng.ops.Open, Finish: b.exec.Finish, Ask: b.askAgain, Reporter: b.reporterFor,
		Audit: func(ctx context.Context, e dobot.AuditEntry) { b.audit(ctx, b.log, e) }, Log: b.log})
}

// askAgain puts op, a request asking again for what void asked for, up
// for decision, telling void's requester.
func (b *Bot) askAgain(ctx context.Context, void, op dobot.Operation, summary string, fields []chat.Field) error {
	req := Request{Ref: fmt.Sprintf("request-%d", void.ID), UserID: void.Requester, UserName: void.RequesterName, ChannelID: void.Channel, ResponseURL: void.ResponseURL}
	return b.requestApproval(ctx, req, op, &Plan{Op: op, Summary: summary, Fields: fields})
}
