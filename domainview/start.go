package domainview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
)

// FollowAction is a follow's action: started by the bot after a domain is
// added, never typed.
const FollowAction = "domains.follow"

// Opener opens an operation under its lock (ops.Engine).
type Opener interface {
	Open(ctx context.Context, op dobot.Operation, needsApproval bool) (dobot.Operation, error)
}

// Follows starts and stops the follows of added domains. Each is an
// operation of its own that locks the domain, not the app, so it survives
// restarts like any operation and holds up no scale or redeploy.
type Follows struct {
	Ops   Opener
	Store Store
	// Run runs op in the background under its lease; Reporter reports on
	// op's card and thread.
	Run      func(ref string, op dobot.Operation, rep *progress.Reporter)
	Reporter func(op dobot.Operation) *progress.Reporter
	Now      func() time.Time
	Log      *slog.Logger
}

// Start follows the domain parent added, in parent's thread. A follow
// already running for the domain goes on alone.
func (f Follows) Start(ctx context.Context, parent dobot.Operation, domain string) {
	raw, err := json.Marshal(FollowArgs{Name: parent.App, Domain: domain, Since: f.Now()})
	if err != nil {
		f.Log.Error("encode a domain follow", "op", parent.ID, "err", err)
		return
	}
	op := dobot.Operation{Action: FollowAction, App: parent.App, Lock: "domain:" + parent.App + ":" + domain, Args: string(raw),
		Sent: dobot.Sent{ResourceID: parent.ResourceID}, Requester: parent.Requester, RequesterName: parent.RequesterName,
		Card: dobot.Card{Channel: parent.Channel, MessageTS: parent.MessageTS, ResponseURL: parent.ResponseURL}, CommandText: parent.CommandText}
	op, err = f.Ops.Open(ctx, op, false)
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return // already followed
	}
	if err != nil {
		f.Log.Error("start following a domain", "op", parent.ID, "domain", domain, "err", err)
		return
	}
	f.Run(fmt.Sprintf("op-%d", op.ID), op, f.Reporter(op))
}

// Stop is /do cancel of a follow, asked by userID: the bot stops following
// the domain, which stays as it is. It says so in the follow's thread and
// returns the answer for the person who asked.
func (f Follows) Stop(ctx context.Context, userID string, op dobot.Operation) (chat.Message, error) {
	stopped, ok, err := f.Store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRunning}, dobot.OpCanceled, func(o *dobot.Operation) {
		o.Error = "stopped by " + userID
	})
	if err != nil {
		return chat.Message{}, fmt.Errorf("stop following a domain (operation %d): %w", op.ID, err)
	}
	// A follow never waits for approval: it is an operation, not a request.
	if !ok {
		return chat.Message{}, reply.Errorf("Operation #%d is already %s; there is nothing to cancel.", stopped.ID, stopped.State)
	}
	what := reply.Escape(What(op))
	f.Reporter(stopped).Reply(ctx, infoMessage(fmt.Sprintf("%s %s stopped the bot's following (%s). The domain stays; `/do domains %s` shows it.",
		chat.IconCanceled, chat.Mention(userID), what, reply.Escape(op.App))))
	return infoMessage(fmt.Sprintf("Stopped operation #%d (%s).", op.ID, what)), nil
}

// What is what a follow does, in words.
func What(op dobot.Operation) string {
	a, err := ops.DecodeArgs[FollowArgs](op)
	if err != nil {
		return "follow a domain of " + op.App
	}
	return fmt.Sprintf("follow the certificate of %s on %s", a.Domain, op.App)
}
