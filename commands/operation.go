package commands

import (
	"context"

	"dobot"
	"dobot/docloud"
	"dobot/ops/pipeline"
	"dobot/plan"
	"dobot/progress"
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

// runOperation stores the operation a command plans and either starts it or
// asks for approval: pipeline.Pipeline.Run.
func (b *Bot) runOperation(ctx context.Context, inv *Invocation, needsApproval bool) error {
	return b.svc.ops.pipe.Run(ctx, pipeline.Job{From: askerOf(inv.Req), NeedsApproval: needsApproval,
		Check:   func(ctx context.Context) (*breach, error) { return b.checkHolds(ctx, inv) },
		Prepare: func(ctx context.Context) (*Plan, error) { return inv.Command.Prepare(ctx, b, inv) }})
}

// head is the card of op's action, if the action exists.
func (b *Bot) head(op dobot.Operation) (Message, bool) {
	if exec := b.table.actions[op.Action]; exec != nil && !exec.Immediate {
		return exec.Head(op), true
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
	b.svc.ops.resume.Go(ref, op.ID, func(ctx context.Context) { exec.Run(ctx, b.exec, op, rep) })
}
