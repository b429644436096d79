package commands

import (
	"context"
	"fmt"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/ops"
)

// resume picks up every operation a previous run left unfinished: a launch
// is reconciled and watched again, a teardown is repeated (deleting is
// idempotent). Operations awaiting approval wait for their decision; those
// decided whose card was not updated yet get it updated.
func (b *Bot) resume(ctx context.Context) error {
	// First the cards of requests decided just before the stop, so an
	// approved one shows its action before the action resumes below.
	if err := b.eng.desk.ShowPending(ctx); err != nil {
		return fmt.Errorf("update decided cards: %w", err)
	}
	return b.adopt(ctx)
}

// adopt resumes every unfinished operation that no replica is working on:
// at start, and with several replicas, every half lease life, those a
// stopped or dead replica left. Each runs under its lease.
func (b *Bot) adopt(ctx context.Context) error {
	lost, running, err := b.eng.ops.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, op := range lost {
		b.reporterFor(op).Final(ctx, errorMessage(fmt.Sprintf("Request #%d (%s) was lost to a restart before approvers saw it. Nothing was done; please ask again.", op.ID, Escape(opWhat(op)))))
	}
	for _, op := range running {
		if ok, err := b.eng.leases.Adoptable(ctx, op); err != nil || !ok {
			if err != nil {
				b.log.Warn("check operation's lease", "op", op.ID, "err", err)
			}
			continue
		}
		b.background(fmt.Sprintf("op-%d", op.ID), func(ctx context.Context) {
			ctx, release, ok := b.hold(ctx, op.ID)
			if !ok {
				return
			}
			defer release()
			// Read it again under the lease: its last holder may have
			// moved it on, or finished it, since the list was read.
			op, err := b.store.Operation(ctx, op.ID)
			if err != nil || op.State != dobot.OpRunning {
				return
			}
			b.log.Info("resuming operation", "op", op.ID, "action", op.Action, "app", op.App)
			b.observe.OperationStarted()
			defer b.observe.OperationFinished()
			b.resumeOne(ctx, op)
		})
	}
	return nil
}

// adoptLoop takes over, until ctx ends, the operations of replicas that
// died (once their leases run out) or stopped. It looks every half lease,
// at least every adoptEvery, so a dead replica's work resumes within
// about a lease and adoptEvery of its last heartbeat.
func (b *Bot) adoptLoop(ctx context.Context) {
	t := time.NewTicker(min(b.eng.leases.TTLOrDefault()/2, adoptEvery))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := b.adopt(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("look for operations to take over", "err", err)
		}
	}
}

// adoptEvery is the longest time between two looks for operations to take
// over.
const adoptEvery = 5 * time.Second

// hold claims operation id's lease for this replica. The context it returns
// ends when the lease is lost: from then on another replica carries the
// operation on, and this one stops acting on it.
func (b *Bot) hold(ctx context.Context, id int64) (context.Context, func(), bool) {
	lctx, release, err := b.eng.leases.Hold(ctx, ops.OpLease(id))
	if err != nil {
		b.log.Info("not running operation here", "op", id, "why", err)
		return nil, nil, false
	}
	return lctx, release, true
}

func (b *Bot) resumeOne(ctx context.Context, op dobot.Operation) {
	rep := b.reporterFor(op)
	if op.MessageTS == "" {
		// Stopped before its first message was recorded: post it now, so
		// the thread still tells the story.
		if exec := b.table.actions[op.Action]; exec != nil {
			if err := rep.Start(ctx, exec.head(op)); err == nil && rep.Posted() {
				op.MessageTS = rep.Head().ID
				if err := b.store.UpdateOperation(ctx, op); err != nil {
					b.log.Error("record resumed message", "op", op.ID, "err", err)
				}
			}
		}
	}
	rep.Note(ctx, infoMessage(fmt.Sprintf(chat.IconRestart+" The bot restarted; picking up %s (%s) again.", opRef(op), Escape(opWhat(op)))))
	if op.Action == ActionLaunch {
		args, err := decodeArgs[LaunchArgs](op)
		if err != nil {
			b.exec.FailOp(ctx, op, rep, err)
			return
		}
		if op.ResourceID == "" && op.Step == dobot.StepSending && !args.Droplet {
			// The create may have been sent before the bot stopped: look the
			// app up by name instead of creating it twice.
			if err := b.exec.AdoptByName(ctx, &op, args); err != nil {
				b.log.Error("reconcile launch", "op", op.ID, "err", err)
				return // try again at the next start
			}
		}
	}
	exec := b.table.actions[op.Action]
	if exec == nil {
		b.log.Warn("cannot resume operation", "op", op.ID, "action", op.Action)
		return
	}
	// Each executor works from the stored operation and checks what an
	// earlier run already did before doing it again.
	exec.run(ctx, b.exec, op, rep)
}
