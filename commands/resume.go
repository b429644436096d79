package commands

import (
	"context"
	"encoding/json"
	"fmt"

	"dobot"
)

// resume picks up every operation a previous run left unfinished: a launch
// is reconciled and watched again, a teardown is repeated (deleting is
// idempotent). Operations awaiting approval wait for their decision.
func (b *Bot) resume(ctx context.Context) error {
	ops, err := b.store.UnfinishedOperations(ctx)
	if err != nil {
		return fmt.Errorf("load unfinished operations: %w", err)
	}
	for _, op := range ops {
		if op.State == dobot.OpRequested {
			// Stopped before its approval card was posted: nobody can have
			// approved it, so it must not run.
			b.finish(ctx, &op, dobot.OpCanceled, "the bot restarted before the approval card was posted")
			b.reporterFor(op).final(ctx, errorMessage(fmt.Sprintf("Request #%d (%s %s) was lost to a restart before approvers saw it. Nothing was done; please ask again.", op.ID, op.Action, op.App)))
			continue
		}
		if op.State != dobot.OpRunning {
			continue
		}
		b.log.Info("resuming operation", "op", op.ID, "action", op.Action, "app", op.App)
		b.background(fmt.Sprintf("op-%d", op.ID), func(ctx context.Context) { b.resumeOne(ctx, op) })
	}
	return nil
}

func (b *Bot) resumeOne(ctx context.Context, op dobot.Operation) {
	rep := b.reporterFor(op)
	switch op.Action {
	case ActionLaunch:
		var args LaunchArgs
		if err := json.Unmarshal([]byte(op.Args), &args); err != nil {
			b.finish(ctx, &op, dobot.OpFailed, "unreadable launch arguments: "+err.Error())
			return
		}
		if op.ResourceID == "" {
			// The create may have been sent before the bot stopped: look the
			// app up by name instead of creating it twice.
			if err := b.adoptByName(ctx, &op, args); err != nil {
				b.log.Error("reconcile launch", "op", op.ID, "err", err)
				return // try again at the next start
			}
		}
		b.executeLaunch(ctx, op, args, rep)
	case ActionTeardown:
		managed, err := b.store.App(ctx, op.App)
		if err != nil {
			managed = dobot.App{Name: op.App, ResourceID: op.ResourceID}
		}
		b.executeTeardown(ctx, op, managed, rep)
	default:
		b.log.Warn("cannot resume operation", "op", op.ID, "action", op.Action)
	}
}

// adoptByName records the id of an app named like the launch, if
// DigitalOcean already has one.
func (b *Bot) adoptByName(ctx context.Context, op *dobot.Operation, args LaunchArgs) error {
	apps, err := b.listApps(ctx)
	if err != nil {
		return err
	}
	for _, app := range apps {
		if app.Spec == nil || app.Spec.Name != args.Name {
			continue
		}
		op.ResourceID = app.ID
		if d := firstDeployment(app); d != nil {
			op.DeploymentID = d.ID
		}
		if err := b.store.UpdateOperation(ctx, *op); err != nil {
			return fmt.Errorf("record app id %s: %w", app.ID, err)
		}
		return b.store.PutApp(ctx, dobot.App{Name: args.Name, Kind: "app", ResourceID: app.ID, Region: args.Region,
			Image: args.Image, Owner: op.Requester, Channel: op.Channel, ThreadTS: op.MessageTS, CreatedAt: b.now()})
	}
	return nil
}
