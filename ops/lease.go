package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"dobot"
)

// LeaseStore keeps the named leases every replica on one database shares.
// store.DB implements it.
type LeaseStore interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (dobot.Lease, bool, error)
	RenewLeases(ctx context.Context, holder string, ttl time.Duration) ([]string, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	ReleaseLeases(ctx context.Context, holder string) (int64, error)
	LeaseOf(ctx context.Context, name string) (dobot.Lease, error)
}

// DefaultLeaseTTL is how long a replica's claim on its work lasts without a
// heartbeat: a replica that dies leaves its operations to the others this
// long after its last heartbeat.
const DefaultLeaseTTL = 30 * time.Second

// OpLease is the lease name of operation id.
func OpLease(id int64) string { return fmt.Sprintf("op:%d", id) }

// Leases is one replica's claims on shared work: operations ("op:42") and
// loops that must run on one replica at a time ("loop:ttl"). A claim's
// context is canceled, with dobot.ErrLeaseLost as its cause, the moment the
// replica can no longer be sure it holds the lease: the heartbeat found it
// gone, or the heartbeat has failed for most of the lease's life. With no
// Store (SQLite, where one process holds the database), every claim is
// granted and never lost.
type Leases struct {
	Store  LeaseStore
	Holder string        // this replica's instance id
	TTL    time.Duration // DefaultLeaseTTL when zero
	Log    *slog.Logger
	Now    func() time.Time // the local clock; time.Now when nil

	mu       sync.Mutex
	held     map[string]*claim
	draining bool
}

// claim is one lease this replica holds. cancel is nil while the lease is
// being acquired.
type claim struct {
	parent   context.Context
	cancel   context.CancelCauseFunc
	since    time.Time // taken after the store granted it
	deadline time.Time // until when it is surely ours, by the local clock
}

// HeldError says that another replica holds a lease.
type HeldError struct {
	Lease dobot.Lease
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("lease %s is held by %s until %s", e.Lease.Name, e.Lease.Holder, e.Lease.Expires.UTC().Format(time.RFC3339))
}

// ErrHeldHere is Hold's error for a lease this replica already holds: the
// work is already running here.
var ErrHeldHere = errors.New("already held by this replica")

// errDraining is Hold's error once the replica is stopping.
var errDraining = errors.New("this replica is stopping")

// Shared reports whether the leases are kept in a store other replicas
// share.
func (l *Leases) Shared() bool { return l != nil && l.Store != nil }

// TTLOrDefault is the lease's life.
func (l *Leases) TTLOrDefault() time.Duration {
	if l.TTL <= 0 {
		return DefaultLeaseTTL
	}
	return l.TTL
}

func (l *Leases) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}

func (l *Leases) log() *slog.Logger {
	if l.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Log
}

// Hold claims the lease name for this replica. It returns a context,
// derived from ctx, that is canceled with dobot.ErrLeaseLost if the lease is
// lost, and release, which gives the lease up (call it when the work is
// done). A *HeldError names another holder; ErrHeldHere says this replica
// already holds it.
func (l *Leases) Hold(ctx context.Context, name string) (context.Context, func(), error) {
	c := &claim{parent: ctx}
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*claim{}
	}
	if l.draining {
		l.mu.Unlock()
		return nil, nil, errDraining
	}
	if _, ok := l.held[name]; ok {
		l.mu.Unlock()
		return nil, nil, ErrHeldHere
	}
	l.held[name] = c // reserved while it is acquired
	l.mu.Unlock()

	asked := l.now()
	if l.Store != nil {
		lease, ok, err := l.Store.AcquireLease(ctx, name, l.Holder, l.TTLOrDefault())
		if err == nil && !ok {
			err = &HeldError{Lease: lease}
		}
		if err != nil {
			l.mu.Lock()
			delete(l.held, name)
			l.mu.Unlock()
			return nil, nil, err
		}
	}
	cctx, cancel := context.WithCancelCause(ctx)
	l.mu.Lock()
	c.cancel, c.since, c.deadline = cancel, l.now(), asked.Add(l.TTLOrDefault())
	l.mu.Unlock()
	if l.Store != nil {
		// Checked before each act, as the heartbeat judges it: a replica
		// woken from a pause past its lease acts before its heartbeat runs.
		margin := l.TTLOrDefault() / 6
		cctx = dobot.WithLeaseCheck(cctx, func() bool {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.now().Before(c.deadline.Add(-margin)) {
				return true
			}
			if l.held[name] == c {
				l.loseLocked(name, c, "its last renewal is too old to be sure of it")
			}
			return false
		})
	}
	return cctx, func() { l.release(name, c) }, nil
}

// release gives up name, held by c. A lease lost meanwhile is not ours to
// give up. At shutdown (c's parent context ended) it is left to Drain,
// which marks it run out rather than deleting it, so another replica takes
// the unfinished work over at once.
func (l *Leases) release(name string, c *claim) {
	l.mu.Lock()
	mine := l.held[name] == c
	if mine {
		delete(l.held, name)
	}
	l.mu.Unlock()
	c.cancel(context.Canceled)
	if !mine || l.Store == nil || c.parent.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.parent), 5*time.Second)
	defer cancel()
	if err := l.Store.ReleaseLease(ctx, name, l.Holder); err != nil {
		l.log().Warn("release lease", "lease", name, "err", err)
	}
}

// Run renews this replica's leases until ctx ends, six times per lease
// life, and cancels the work of any it lost.
func (l *Leases) Run(ctx context.Context) {
	if l.Store == nil {
		return
	}
	t := time.NewTicker(l.TTLOrDefault() / 6)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.renew(ctx)
	}
}

// renew is one heartbeat. A lease the store no longer gives this replica is
// lost; so is one whose renewals have failed until a sixth of its life is
// left, as the store's clock may run a little ahead of ours.
func (l *Leases) renew(ctx context.Context) {
	ttl := l.TTLOrDefault()
	start := l.now()
	rctx, cancel := context.WithTimeout(ctx, ttl/3)
	names, err := l.Store.RenewLeases(rctx, l.Holder, ttl)
	cancel()
	if err != nil && ctx.Err() == nil {
		l.log().Warn("renew leases", "err", err)
	}
	kept := make(map[string]bool, len(names))
	for _, n := range names {
		kept[n] = true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, c := range l.held {
		switch {
		case c.cancel == nil:
			continue // still being acquired
		case err == nil && kept[name]:
			c.deadline = start.Add(ttl)
		case err == nil && c.since.Before(start):
			l.loseLocked(name, c, "the heartbeat found it taken or run out")
			continue
		}
		if !now.Before(c.deadline.Add(-ttl / 6)) {
			l.loseLocked(name, c, "the heartbeat could not renew it in time")
		}
	}
}

func (l *Leases) loseLocked(name string, c *claim, why string) {
	delete(l.held, name)
	c.cancel(dobot.ErrLeaseLost)
	l.log().Warn("lease lost; stopping its work", "lease", name, "why", why)
}

// Lost reports whether ctx's lease was lost, or is no longer surely held:
// the work must stop without a word, as another replica carries it on.
func Lost(ctx context.Context) bool { return dobot.LeaseGone(ctx) }

// Drain refuses new claims, cancels the work of any still held and marks
// every lease of this replica as run out, so that other replicas take the
// work over at once. Call it at shutdown once the work has stopped.
func (l *Leases) Drain(ctx context.Context) {
	l.mu.Lock()
	l.draining = true
	for name, c := range l.held {
		if c.cancel != nil {
			c.cancel(context.Canceled)
		}
		delete(l.held, name)
	}
	l.mu.Unlock()
	if l.Store == nil {
		return
	}
	n, err := l.Store.ReleaseLeases(ctx, l.Holder)
	if err != nil {
		l.log().Warn("release leases at shutdown; other replicas take the work over when they run out", "err", err)
		return
	}
	l.log().Info("released leases", "count", n)
}

// Loop runs fn on one replica at a time: it claims the lease name, runs fn
// under the claim's context until the lease is lost or ctx ends, and tries
// again every third of the lease's life. fn should run until its context
// ends. Use it for the timers, reminders and anything else that must not
// run on two replicas at once.
func (l *Leases) Loop(ctx context.Context, name string, fn func(ctx context.Context)) {
	retry := l.TTLOrDefault() / 3
	for {
		lctx, release, err := l.Hold(ctx, name)
		var held *HeldError
		switch {
		case err == nil:
			l.log().Info("running loop here", "loop", name)
			fn(lctx)
			release()
		case errors.As(err, &held), errors.Is(err, errDraining):
		default:
			l.log().Warn("claim loop", "loop", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
	}
}

// Adoptable reports whether the running operation op is free for this
// replica to take over: nobody holds its lease any more (its holder died or
// stopped), or nobody has claimed it within a lease's life of its last
// change (its replica died before it could). An operation whose lease this
// replica holds is running here already.
func (l *Leases) Adoptable(ctx context.Context, op dobot.Operation) (bool, error) {
	name := OpLease(op.ID)
	l.mu.Lock()
	_, here := l.held[name]
	l.mu.Unlock()
	if here {
		return false, nil
	}
	if l.Store == nil {
		return true, nil
	}
	lease, err := l.Store.LeaseOf(ctx, name)
	if errors.Is(err, dobot.ErrNotFound) {
		return l.now().Sub(op.UpdatedAt) >= l.TTLOrDefault(), nil
	}
	if err != nil {
		return false, err
	}
	return lease.Holder == l.Holder || !lease.Expires.After(l.now()), nil
}
