// Package ops holds the rules of durable operations that need no chat and
// no cloud: the approval state machine, which decides who may decide a
// request and when, and changes its state exactly once.
package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dobot"
)

// Store is what the approval state machine reads and changes: an
// operation, and the compare-and-set that records a decision together
// with its audit row.
type Store interface {
	Operation(ctx context.Context, id int64) (dobot.Operation, error)
	Decide(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation),
		entry func(dobot.Operation) dobot.AuditEntry) (dobot.Operation, bool, dobot.AuditEntry, error)
}

// TimeFormat is how requests show their times.
const TimeFormat = "2006-01-02 15:04 UTC"

// Decision is one person's answer to a request, from a button or a command.
type Decision struct {
	RequestID   int64
	Approve     bool
	Reason      string // why a request is denied
	Decider     string // user id
	DeciderName string
	Channel     string // where the decision was made
	CommandText string // as typed, or "(button)"
	Card        string // the card whose button was pressed; "" when typed
}

// Refusal is a decision the rules refuse. It changed nothing; Entry is its
// audit row, still to be recorded.
type Refusal struct {
	// Text says why, as message markup: mentions built from ids, and
	// nothing a person typed.
	Text  string
	Entry dobot.AuditEntry
	// Expired is set when the request ran out of time before the decision:
	// the caller expires Op, so its card loses its buttons.
	Expired bool
	Op      dobot.Operation
}

// Error is the refusal's text.
func (r *Refusal) Error() string { return r.Text }

// Approvals is the approval state machine over a store.
type Approvals struct {
	Store Store
	Now   func() time.Time
	// RequesterAllowed re-checks at approval that the requester may still
	// run the action. It returns why not, as markup, or ""; err is a
	// failure to find out, which is no refusal.
	RequesterAllowed func(ctx context.Context, op dobot.Operation) (why string, err error)
	// StateText describes a request that is no longer waiting, as markup.
	StateText func(op dobot.Operation) string
	// Scrub drops secret values from a request that will never run.
	Scrub func(op *dobot.Operation)
	// CardWait is how long a decision waits for a request's card to be
	// recorded, since a click can race it; default 2.5s.
	CardWait time.Duration
}

// Decide applies d exactly once: the store's compare-and-set lets only the
// first of any number of concurrent decisions through. It returns the
// decided request and its stored audit row, a *Refusal when the rules
// refuse, or another error when it could not find out.
func (a *Approvals) Decide(ctx context.Context, d Decision) (dobot.Operation, dobot.AuditEntry, error) {
	entry := dobot.AuditEntry{UserID: d.Decider, UserName: d.DeciderName, Channel: d.Channel,
		CommandText: d.CommandText, Action: "approval.decision", Target: fmt.Sprintf("request #%d", d.RequestID)}
	refuse := func(op dobot.Operation, format string, args ...any) error {
		r := &Refusal{Text: fmt.Sprintf(format, args...), Entry: entry, Op: op}
		r.Entry.Decision, r.Entry.Outcome, r.Entry.Error = "refused", "not decided", r.Text
		return r
	}
	op, err := a.Carded(ctx, d.RequestID)
	if errors.Is(err, dobot.ErrNotFound) {
		return op, dobot.AuditEntry{}, refuse(op, "There is no request #%d. Nothing was changed.", d.RequestID)
	}
	if err != nil {
		return op, dobot.AuditEntry{}, fmt.Errorf("load request %d: %w", d.RequestID, err)
	}
	entry.Target, entry.Details = op.App, fmt.Sprintf("request=%d action=%s", op.ID, op.Action)
	if err := a.check(ctx, op, d, refuse); err != nil {
		return op, dobot.AuditEntry{}, err
	}

	to := dobot.OpCanceled
	entry.Decision, entry.Outcome = "denied", "canceled"
	if d.Approve {
		to = dobot.OpRunning
		entry.Decision, entry.Outcome = "approved", "running"
	}
	entry.Error = d.Reason
	// The decision and its audit row commit together: an action never runs,
	// and a request never ends, without the decision on record.
	decided, ok, stored, err := a.Store.Decide(ctx, op.ID, []dobot.OpState{dobot.OpAwaitingApproval}, to, func(o *dobot.Operation) {
		o.Decider, o.DecidedAt = d.Decider, a.Now()
		if !d.Approve {
			o.Error = d.Reason
			a.Scrub(o) // denied: it will never be sent
		}
	}, func(dobot.Operation) dobot.AuditEntry { return entry })
	if err != nil {
		return op, dobot.AuditEntry{}, fmt.Errorf("decide request %d: %w", op.ID, err)
	}
	if !ok {
		return decided, dobot.AuditEntry{}, refuse(decided, "Request #%d is no longer waiting: %s.", op.ID, a.StateText(decided))
	}
	return decided, stored, nil
}

// check applies the rules a decision must pass, in the order people expect
// to hear about them.
func (a *Approvals) check(ctx context.Context, op dobot.Operation, d Decision, refuse func(dobot.Operation, string, ...any) error) error {
	if d.Card != "" && (op.MessageTS != d.Card || op.Channel != d.Channel) {
		return refuse(op, "That button does not belong to request #%d's card. Nothing was changed.", op.ID)
	}
	if op.ExpiresAt.IsZero() { // ids are one series: this one never asked for approval
		return refuse(op, "#%d is an operation (%s %s), not a request: it needed no approval, so there is nothing to approve or deny. Nothing was changed.", op.ID, op.Action, op.App)
	}
	if d.Approve {
		why, err := a.RequesterAllowed(ctx, op)
		if err != nil {
			// Not a refusal: nobody decided anything.
			return fmt.Errorf("re-check the requester of request %d: %w", op.ID, err)
		}
		if why != "" {
			return refuse(op, "%s", why)
		}
	}
	if d.Decider == op.Requester {
		return refuse(op, "You asked for request #%d, so someone else must decide it: every request needs a second person, admins included.", op.ID)
	}
	if op.State != dobot.OpAwaitingApproval {
		return refuse(op, "Request #%d is no longer waiting: %s.", op.ID, a.StateText(op))
	}
	if !a.Now().Before(op.ExpiresAt) {
		err := refuse(op, "Request #%d expired at %s without a decision. Ask again if it is still needed.", op.ID, op.ExpiresAt.UTC().Format(TimeFormat))
		err.(*Refusal).Expired = true
		return err
	}
	return nil
}

// Carded loads a request, waiting briefly while its card is still being
// posted: a click can race the bot recording the card.
func (a *Approvals) Carded(ctx context.Context, id int64) (dobot.Operation, error) {
	wait := a.CardWait
	if wait <= 0 {
		wait = 2500 * time.Millisecond
	}
	const every = 50 * time.Millisecond
	for tries := 0; ; tries++ {
		op, err := a.Store.Operation(ctx, id)
		if err != nil || op.State != dobot.OpRequested || time.Duration(tries)*every >= wait {
			return op, err
		}
		select {
		case <-ctx.Done():
			return op, ctx.Err()
		case <-time.After(every):
		}
	}
}

// Expire ends a request that waited too long, once. It reports whether
// this call expired it, with the stored audit row.
func (a *Approvals) Expire(ctx context.Context, op dobot.Operation) (dobot.Operation, bool, dobot.AuditEntry, error) {
	return a.Store.Decide(ctx, op.ID, []dobot.OpState{dobot.OpAwaitingApproval}, dobot.OpExpired, func(o *dobot.Operation) {
		o.Error = "no decision before " + o.ExpiresAt.UTC().Format(TimeFormat)
		a.Scrub(o) // expired: it will never be sent
	}, func(o dobot.Operation) dobot.AuditEntry {
		return dobot.AuditEntry{UserID: o.Requester, UserName: o.RequesterName, Channel: o.Channel,
			CommandText: o.CommandText, Action: "approval.expired", Target: o.App, Decision: "expired", Outcome: "expired",
			Details: fmt.Sprintf("request=%d action=%s", o.ID, o.Action)}
	})
}
