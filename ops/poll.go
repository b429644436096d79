package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dobot"
)

// DecodeArgs reads the arguments stored with op as T. An operation whose
// arguments do not decode cannot run as planned, so every executor fails it
// on this error rather than run with zero values.
func DecodeArgs[T any](op dobot.Operation) (T, error) {
	var args T
	if err := json.Unmarshal([]byte(op.Args), &args); err != nil {
		return args, fmt.Errorf("decode the %s arguments stored with operation %d: %w", op.Action, op.ID, err)
	}
	return args, nil
}

// MaxPollFailures is how many polls in a row may fail before an operation
// gives up: DigitalOcean unreachable for that long is no blip, and the
// operation holds its lock while it waits.
const MaxPollFailures = 5

// Poller paces the polls of one operation that watches DigitalOcean work
// (a droplet action, a garbage collection) and ends them: at the
// operation's timeout, or after MaxPollFailures failed polls in a row. It
// then calls Fail, so the operation ends and its lock is released. At
// shutdown it stops without failing: the operation resumes at the next
// start.
type Poller struct {
	// Ctx is the polls' context; it ends at the timeout or at shutdown.
	Ctx      context.Context
	parent   context.Context
	cancel   context.CancelFunc
	timeout  time.Duration
	stopping func() bool
	fail     func(ctx context.Context, err error)
	log      *slog.Logger
	failures int
}

// NewPoller starts polling under ctx for at most timeout. stopping reports
// a shutdown; fail ends the operation. Call Stop when done.
func NewPoller(ctx context.Context, timeout time.Duration, stopping func() bool, fail func(ctx context.Context, err error), log *slog.Logger) *Poller {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Poller{Ctx: pctx, parent: ctx, cancel: cancel, timeout: timeout, stopping: stopping, fail: fail, log: log}
}

// Stop releases the poller's context.
func (p *Poller) Stop() { p.cancel() }

// Wait waits d before the next poll. It reports false when polling is
// over: at shutdown, or at the timeout (the operation is failed).
func (p *Poller) Wait(d time.Duration) bool {
	select {
	case <-p.Ctx.Done():
		return p.over()
	case <-time.After(d):
		return true
	}
}

// over ends polling once its context is done, and reports false.
func (p *Poller) over() bool {
	if p.parent.Err() != nil || p.stopping() {
		return false // shutting down: resume picks it up
	}
	p.end(fmt.Errorf("it did not finish within %s, the longest the bot watches an operation; check on DigitalOcean how it ended", dobot.FormatDuration(p.timeout)))
	return false
}

// OK counts a poll's outcome. It reports false once polling is over: too
// many polls in a row failed (the operation is failed), or the poll failed
// because the timeout or a shutdown came.
func (p *Poller) OK(err error) bool {
	if err == nil {
		p.failures = 0
		return true
	}
	if p.Ctx.Err() != nil {
		return p.over()
	}
	p.failures++
	p.log.Warn("poll", "failures", p.failures, "err", err)
	if p.failures >= MaxPollFailures {
		p.end(fmt.Errorf("%d checks of its progress in a row failed, the last with: %w", p.failures, err))
		return false
	}
	return true
}

// end fails the operation with a context that outlives the polls' own.
func (p *Poller) end(err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.parent), 30*time.Second)
	defer cancel()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out: %w", err)
	}
	p.fail(ctx, err)
}
