package deploy

import (
	"context"

	"dobot"
	"dobot/ops"
	"dobot/progress"
)

// newPoller paces the polls of op, failing it at the operation timeout or
// after too many failed polls in a row (see ops.Poller).
func (b *Executor) newPoller(ctx context.Context, op *dobot.Operation, rep *progress.Reporter) *ops.Poller {
	return ops.NewPoller(ctx, b.cfg.OpTimeout, b.runner.Stopping, func(ctx context.Context, err error) {
		b.FailOp(ctx, *op, rep, err)
	}, b.log.With("op", op.ID, "action", op.Action))
}
