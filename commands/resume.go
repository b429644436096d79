package commands

import (
	"context"
	"fmt"

	"dobot"
	"dobot/chat"
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
	lost, running, err := b.eng.ops.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, op := range lost {
		b.reporterFor(op).Final(ctx, errorMessage(fmt.Sprintf("Request #%d (%s %s) was lost to a restart before approvers saw it. Nothing was done; please ask again.", op.ID, op.Action, op.App)))
	}
	for _, op := range running {
		b.log.Info("resuming operation", "op", op.ID, "action", op.Action, "app", op.App)
		b.background(fmt.Sprintf("op-%d", op.ID), func(ctx context.Context) {
			b.observe.OperationStarted()
			defer b.observe.OperationFinished()
			b.resumeOne(ctx, op)
		})
	}
	return nil
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
	rep.Note(ctx, infoMessage(fmt.Sprintf(chat.IconRestart+" The bot restarted; picking up %s #%d again.", op.Action, op.ID)))
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
