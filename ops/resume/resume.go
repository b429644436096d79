// Package resume runs operations under their lease, and picks up those a
// previous run left unfinished, or a stopped or dead replica: a launch is
// reconciled and watched again, a teardown is repeated (deleting is
// idempotent), each executor from the step its operation stored.
package resume

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
)

// Store reads an operation again under its lease, and records the card
// a resumed operation posts.
type Store interface {
	Operation(ctx context.Context, id int64) (dobot.Operation, error)
	UpdateOperation(ctx context.Context, op dobot.Operation) error
}

// Launches are what resuming a launch needs of the executor: failing it,
// and finding the app a create cut off while sending may have made.
type Launches interface {
	FailOp(ctx context.Context, op dobot.Operation, rep *progress.Reporter, err error)
	AdoptByName(ctx context.Context, op *dobot.Operation, args deploy.LaunchArgs) error
}

// Observer counts the operations running.
type Observer interface {
	OperationStarted()
	OperationFinished()
}

// Deps are a Resumer's collaborators.
type Deps struct {
	Store    Store
	Leases   *ops.Leases
	Launches Launches
	Observer Observer
	Log      *slog.Logger
	// ShowPending updates the cards of requests decided just before a
	// stop; Unfinished sorts what is left (ops.Engine's).
	ShowPending func(ctx context.Context) error
	Unfinished  func(ctx context.Context) (lost, running []dobot.Operation, err error)
	// Background runs fn under the bot's lifetime context.
	Background func(ref string, fn func(ctx context.Context))
	// Reporter reports on op's card and thread; Head is the card of op's
	// action; Run runs op's executor, false when its action has none.
	Reporter func(op dobot.Operation) *progress.Reporter
	Head     func(op dobot.Operation) (chat.Message, bool)
	Run      func(ctx context.Context, op dobot.Operation, rep *progress.Reporter) bool
}

// Resumer runs and resumes operations.
type Resumer struct{ d Deps }

// New returns a Resumer.
func New(d Deps) *Resumer { return &Resumer{d: d} }

// adoptEvery is the longest time between two looks for operations to take
// over.
const adoptEvery = 5 * time.Second

// Go runs fn, the work of operation id, in the background under id's
// lease, counted as running.
func (r *Resumer) Go(ref string, id int64, fn func(ctx context.Context)) {
	r.d.Background(ref, func(ctx context.Context) {
		ctx, release, ok := r.hold(ctx, id)
		if !ok {
			return // left for the replica that holds it, or to take over
		}
		defer release()
		r.d.Observer.OperationStarted()
		defer r.d.Observer.OperationFinished()
		fn(ctx)
	})
}

// Resume picks up every operation a previous run left unfinished.
// Operations awaiting approval wait for their decision; those decided
// whose card was not updated yet get it updated.
func (r *Resumer) Resume(ctx context.Context) error {
	// First the cards of requests decided just before the stop, so an
	// approved one shows its action before the action resumes below.
	if err := r.d.ShowPending(ctx); err != nil {
		return fmt.Errorf("update decided cards: %w", err)
	}
	return r.Adopt(ctx)
}

// Adopt resumes every unfinished operation that no replica is working on:
// at start, and with several replicas, every half lease life, those a
// stopped or dead replica left. Each runs under its lease.
func (r *Resumer) Adopt(ctx context.Context) error {
	lost, running, err := r.d.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, op := range lost {
		r.d.Reporter(op).Final(ctx, chat.Message{Text: chat.IconWarning + " " + fmt.Sprintf("Request #%d (%s) was lost to a restart before approvers saw it. Nothing was done; please ask again.", op.ID, reply.Escape(deploy.What(op)))})
	}
	for _, op := range running {
		if ok, err := r.d.Leases.Adoptable(ctx, op); err != nil || !ok {
			if err != nil {
				r.d.Log.Warn("check operation's lease", "op", op.ID, "err", err)
			}
			continue
		}
		r.d.Background(fmt.Sprintf("op-%d", op.ID), func(ctx context.Context) {
			ctx, release, ok := r.hold(ctx, op.ID)
			if !ok {
				return
			}
			defer release()
			// Read it again under the lease: its last holder may have
			// moved it on, or finished it, since the list was read.
			op, err := r.d.Store.Operation(ctx, op.ID)
			if err != nil || op.State != dobot.OpRunning {
				return
			}
			r.d.Log.Info("resuming operation", "op", op.ID, "action", op.Action, "app", op.App)
			r.d.Observer.OperationStarted()
			defer r.d.Observer.OperationFinished()
			r.resumeOne(ctx, op)
		})
	}
	return nil
}

// AdoptLoop takes over, until ctx ends, the operations of replicas that
// died (once their leases run out) or stopped. It looks every half lease,
// at least every adoptEvery, so a dead replica's work resumes within
// about a lease and adoptEvery of its last heartbeat.
func (r *Resumer) AdoptLoop(ctx context.Context) {
	t := time.NewTicker(min(r.d.Leases.TTLOrDefault()/2, adoptEvery))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.Adopt(ctx); err != nil && ctx.Err() == nil {
			r.d.Log.Warn("look for operations to take over", "err", err)
		}
	}
}

// hold claims operation id's lease for this replica. The context it returns
// ends when the lease is lost: from then on another replica carries the
// operation on, and this one stops acting on it.
func (r *Resumer) hold(ctx context.Context, id int64) (context.Context, func(), bool) {
	lctx, release, err := r.d.Leases.Hold(ctx, ops.OpLease(id))
	if err != nil {
		r.d.Log.Info("not running operation here", "op", id, "why", err)
		return nil, nil, false
	}
	return lctx, release, true
}

func (r *Resumer) resumeOne(ctx context.Context, op dobot.Operation) {
	rep := r.d.Reporter(op)
	if op.MessageTS == "" {
		// Stopped before its first message was recorded: post it now, so
		// the thread still tells the story.
		if head, ok := r.d.Head(op); ok {
			if err := rep.Start(ctx, head); err == nil && rep.Posted() {
				op.MessageTS = rep.Head().ID
				if err := r.d.Store.UpdateOperation(ctx, op); err != nil {
					r.d.Log.Error("record resumed message", "op", op.ID, "err", err)
				}
			}
		}
	}
	rep.Note(ctx, chat.Message{Text: fmt.Sprintf(chat.IconRestart+" The bot restarted; picking up %s (%s) again.", deploy.Ref(op), reply.Escape(deploy.What(op)))})
	if op.Action == deploy.ActionLaunch {
		args, err := ops.DecodeArgs[deploy.LaunchArgs](op)
		if err != nil {
			r.d.Launches.FailOp(ctx, op, rep, err)
			return
		}
		if op.ResourceID == "" && op.Step == dobot.StepSending && !args.Droplet {
			// The create may have been sent before the bot stopped: look the
			// app up by name instead of creating it twice.
			if err := r.d.Launches.AdoptByName(ctx, &op, args); err != nil {
				r.d.Log.Error("reconcile launch", "op", op.ID, "err", err)
				return // try again at the next start
			}
		}
	}
	// Each executor works from the stored operation and checks what an
	// earlier run already did before doing it again.
	if !r.d.Run(ctx, op, rep) {
		r.d.Log.Warn("cannot resume operation", "op", op.ID, "action", op.Action)
	}
}
