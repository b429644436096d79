package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dobot"
)

// maxPollFailures is how many polls in a row may fail before an operation
// gives up: DigitalOcean unreachable for that long is no blip, and the
// operation holds its lock while it waits.
const maxPollFailures = 5

// poller paces the polls of one operation that watches DigitalOcean work
// (a droplet action, a garbage collection) and ends them: at the
// operation's timeout, or after maxPollFailures failed polls in a row,
// failing the operation so that its lock is released.
type poller struct {
	b        *Bot
	ctx      context.Context // the polls' context, ending at the timeout
	parent   context.Context // ends at shutdown
	stop     context.CancelFunc
	op       dobot.Operation
	rep      *reporter
	failures int
}

func (b *Bot) newPoller(ctx context.Context, op dobot.Operation, rep *reporter) *poller {
	pctx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	return &poller{b: b, ctx: pctx, parent: ctx, stop: cancel, op: op, rep: rep}
}

// wait waits d before the next poll. It reports false when polling is over:
// the bot is stopping (the operation resumes at the next start), or the
// operation ran out of time (it is failed).
func (p *poller) wait(d time.Duration) bool {
	select {
	case <-p.ctx.Done():
		return p.over()
	case <-time.After(d):
		return true
	}
}

// over ends polling once its context is done, and reports false.
func (p *poller) over() bool {
	if p.parent.Err() != nil || p.b.runner.Stopping() {
		return false // shutting down: resume picks it up
	}
	p.fail(fmt.Errorf("it did not finish within %s (BOT_OP_TIMEOUT); check on DigitalOcean how it ended", dobot.FormatDuration(p.b.cfg.OpTimeout)))
	return false
}

// ok counts a poll's outcome. It reports false, having failed the
// operation, once too many polls in a row have failed, and false when the
// poll failed because polling is over.
func (p *poller) ok(err error) bool {
	if err == nil {
		p.failures = 0
		return true
	}
	if p.ctx.Err() != nil {
		return p.over()
	}
	p.failures++
	p.b.log.Warn("poll", "op", p.op.ID, "action", p.op.Action, "failures", p.failures, "err", err)
	if p.failures >= maxPollFailures {
		p.fail(fmt.Errorf("%d checks of its progress in a row failed, the last with: %w", p.failures, err))
		return false
	}
	return true
}

// fail ends the operation as failed, with a context that outlives the
// polls' own.
func (p *poller) fail(err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.parent), 30*time.Second)
	defer cancel()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out: %w", err)
	}
	p.b.failOp(ctx, p.op, p.rep, err)
}
