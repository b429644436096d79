package commands

import (
	"context"
	"errors"
	"fmt"

	"dobot"
	"dobot/docloud"
	"dobot/ops"
	"dobot/plan"
	"dobot/progress"
	"dobot/reply"
)

// Plan is what a mutating command would do: package plan's.
type Plan = plan.Plan

// Images checks images before launch: docloud's.
type Images = docloud.Images

// Preflight is what the pre-flight check decided about an image.
type Preflight = docloud.Preflight

// planWith is the Prepare of a command whose arguments are T, planned by
// the planner's method f.
func planWith[T any](f func(*plan.Planner, context.Context, T) (*Plan, error)) func(context.Context, *Bot, *Invocation) (*Plan, error) {
	return func(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
		args, err := argsOf[T](inv)
		if err != nil {
			return nil, err
		}
		return f(b.plan, ctx, args)
	}
}

// decodeArgs is ops.DecodeArgs: every executor fails its operation on its
// error rather than run with zero values.
func decodeArgs[T any](op dobot.Operation) (T, error) { return ops.DecodeArgs[T](op) }

// runOperation stores the operation a command plans and either starts it or
// asks for approval.
func (b *Bot) runOperation(ctx context.Context, inv *Invocation, needsApproval bool) error {
	breach, err := b.checkHolds(ctx, inv) // a lock or a freeze stops it, unless the glass is broken
	if err != nil {
		return err
	}
	plan, err := inv.Command.Prepare(ctx, b, inv)
	if err != nil {
		return err
	}
	if plan.DryRun != nil {
		m, err := plan.DryRun(ctx)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	}
	if !needsApproval {
		why, costly, err := b.costApproval(ctx, plan)
		if err != nil {
			return err
		}
		if costly {
			needsApproval = true
			plan.Fields = append([]Field{why}, plan.Fields...)
		}
	}
	op := plan.Op
	op.Requester, op.RequesterName = inv.Req.UserID, inv.Req.UserName
	op.Channel, op.ResponseURL = inv.Req.ChannelID, inv.Req.ResponseURL
	op.CommandText = commandText(inv.Req)
	b.routeOp(ctx, &op, inv.Req)
	op, err = b.eng.ops.Open(ctx, op, needsApproval)
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return reply.Errorf("%s", reply.Markup(busyText(busy)))
	}
	if err != nil {
		return fmt.Errorf("store %s operation: %w", op.Action, err)
	}
	if breach != nil {
		outcome := "override"
		if needsApproval {
			outcome = "requested"
		}
		if err := b.recordBreach(ctx, op, breach, outcome); err != nil {
			b.exec.Finish(ctx, &op, dobot.OpCanceled, "could not audit the break-glass")
			return err
		}
	}
	if needsApproval {
		if err := b.svc.ops.binder.Bind(ctx, op); err != nil {
			b.exec.Finish(ctx, &op, dobot.OpCanceled, "could not record what the request asks for")
			return err
		}
		if err := b.requestApproval(ctx, inv.Req, op, plan); err != nil {
			return err
		}
		b.announceBreach(ctx, op, breach)
		return nil
	}
	exec := b.table.actions[op.Action]
	rep := b.reporterFor(op)
	if err := rep.Start(ctx, exec.head(op)); err != nil {
		b.exec.Finish(ctx, &op, dobot.OpFailed, "could not post the first message: "+err.Error())
		return fmt.Errorf("post %s message: %w", op.Action, err)
	}
	op.MessageTS = rep.Head().ID
	if err := b.store.UpdateOperation(ctx, op); err != nil {
		return fmt.Errorf("record %s message: %w", op.Action, err)
	}
	b.announceBreach(ctx, op, breach)
	b.runExecutor(inv.Req.Ref, exec, op, rep)
	return nil
}

// head is the card of op's action, if the action exists.
func (b *Bot) head(op dobot.Operation) (Message, bool) {
	if exec := b.table.actions[op.Action]; exec != nil {
		return exec.head(op), true
	}
	return Message{}, false
}

// start runs an approved op in the background.
func (b *Bot) start(ref string, op dobot.Operation, rep *progress.Reporter) {
	b.runExecutor(ref, b.table.actions[op.Action], op, rep)
}

// runExecutor runs op in the background under its lease, counted as in
// flight.
func (b *Bot) runExecutor(ref string, exec *action, op dobot.Operation, rep *progress.Reporter) {
	b.svc.ops.resume.Go(ref, op.ID, func(ctx context.Context) { exec.run(ctx, b.exec, op, rep) })
}
