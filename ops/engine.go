package ops

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"dobot"
)

// OperationStore is what the engine keeps operations in. Its unique lock
// per app (or per registry) decides who may start: CreateOperation returns
// a *dobot.BusyError naming the holder.
type OperationStore interface {
	CreateOperation(ctx context.Context, op dobot.Operation) (dobot.Operation, error)
	UpdateOperation(ctx context.Context, op dobot.Operation) error
	UnfinishedOperations(ctx context.Context) ([]dobot.Operation, error)
	Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error)
	Decide(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation),
		entry func(dobot.Operation) dobot.AuditEntry) (dobot.Operation, bool, dobot.AuditEntry, error)
}

// Engine keeps the state of durable operations: it opens them under their
// lock, finishes them, sorts what a previous run left unfinished, and
// withdraws waiting requests. Posting and running belong to the caller.
type Engine struct {
	Store       OperationStore
	Now         func() time.Time
	ApprovalTTL time.Duration // how long a request waits for a decision
	// Scrub drops secret values from an operation that will never send
	// them.
	Scrub func(op *dobot.Operation)
	Log   *slog.Logger
	// LostAfter is how long a request may sit before its approval card is
	// posted before it counts as lost. Zero: any such request is lost, as
	// when one process holds the store and has just started. With several
	// replicas, a young one may be another replica's, about to be posted.
	LostAfter time.Duration
}

// Open stores op as a new operation under its lock: running, or, when it
// needs approval, requested (until its card is posted) with its approval
// deadline. A *dobot.BusyError says who holds the lock.
func (e *Engine) Open(ctx context.Context, op dobot.Operation, needsApproval bool) (dobot.Operation, error) {
	op.State = dobot.OpRunning
	if needsApproval {
		op.State = dobot.OpRequested
		op.ExpiresAt = e.Now().Add(e.ApprovalTTL)
	}
	return e.Store.CreateOperation(ctx, op)
}

// Finish ends op in state, saying why, and drops its secrets: a finished
// operation is never sent again. A failure to record it is logged; the
// operation then resumes at the next start. Whose lease is gone leaves it
// to the replica that holds it now.
func (e *Engine) Finish(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string) {
	if dobot.LeaseGone(ctx) {
		e.Log.Warn("not finishing an operation whose lease is gone", "op", op.ID, "state", state)
		return
	}
	op.State, op.Error = state, why
	e.Scrub(op)
	if err := e.Store.UpdateOperation(ctx, *op); err != nil {
		e.Log.Error("finish operation", "op", op.ID, "state", state, "err", err)
	}
}

// Unfinished sorts what a previous run left: requests it stopped before
// their approval card was posted (older than LostAfter) are canceled
// (nobody can have approved them, so they must not run) and returned as
// lost, each by one caller only; running operations are returned to resume.
// Requests awaiting approval keep waiting.
func (e *Engine) Unfinished(ctx context.Context) (lost, running []dobot.Operation, err error) {
	ops, err := e.Store.UnfinishedOperations(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load unfinished operations: %w", err)
	}
	for _, op := range ops {
		switch op.State {
		case dobot.OpRequested:
			if e.Now().Sub(op.UpdatedAt) < e.LostAfter {
				continue
			}
			const why = "the bot restarted before the approval card was posted"
			canceled, won, err := e.Store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpCanceled, func(o *dobot.Operation) {
				o.Error = why
				e.Scrub(o)
			})
			if err != nil {
				e.Log.Error("cancel lost request", "op", op.ID, "err", err)
				continue
			}
			if won {
				lost = append(lost, canceled)
			}
		case dobot.OpRunning:
			running = append(running, op)
		}
	}
	return lost, running, nil
}

// Withdrawal is a waiting request taken back by its requester or canceled
// by an admin.
type Withdrawal struct {
	By, ByName, Channel, CommandText string
}

// Withdraw cancels the waiting request op, once, with its audit row. It
// reports whether this call canceled it; when not, the returned operation
// says what became of it.
func (e *Engine) Withdraw(ctx context.Context, op dobot.Operation, w Withdrawal) (dobot.Operation, bool, dobot.AuditEntry, error) {
	return e.Store.Decide(ctx, op.ID, []dobot.OpState{dobot.OpAwaitingApproval}, dobot.OpCanceled, func(o *dobot.Operation) {
		o.Decider, o.DecidedAt = w.By, e.Now()
		e.Scrub(o) // withdrawn: it will never be sent
		if w.By != o.Requester {
			o.Error = "canceled by an admin"
		}
	}, func(o dobot.Operation) dobot.AuditEntry {
		decision := "withdrawn"
		if w.By != o.Requester {
			decision = "canceled"
		}
		return dobot.AuditEntry{UserID: w.By, UserName: w.ByName, Channel: w.Channel,
			CommandText: w.CommandText, Action: "approval." + decision, Target: o.App, Decision: decision, Outcome: "canceled",
			Details: fmt.Sprintf("request=%d action=%s", o.ID, o.Action)}
	})
}
