package store

import (
	"context"
	"fmt"
	"time"

	"dobot"
	"dobot/store/internal/leases"
)

// Lease is dobot.Lease: a named claim on a piece of work.
type Lease = dobot.Lease

// AcquireLease gives the lease name to holder until the store clock's now
// plus ttl, if it is free, has expired, or is holder's already (then this
// renews it). It returns the lease as it stands afterwards and whether
// holder has it; when not, the lease names who does and until when. The
// check and the claim are one statement in a write transaction, so two
// instances can never both get it. Instances' clocks must agree to well
// within ttl.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return Lease{}, false, fmt.Errorf("acquire lease %q for %q: need a name, a holder and a positive ttl", name, holder)
	}
	now := db.now()
	var l Lease
	err := db.writeTx(ctx, func(tx *txn) (err error) { l, err = leases.Acquire(ctx, tx, name, holder, ttl, now); return err })
	if err != nil {
		return Lease{}, false, fmt.Errorf("acquire lease %q for %q: %w", name, holder, err)
	}
	return l, l.Holder == holder && l.Expires.After(now), nil
}

// RenewLeases extends every unexpired lease holder has to now plus ttl, as
// the holder's heartbeat, and returns their names, sorted. A lease that ran
// out is not renewed even if nobody took it: its work may already be
// starting elsewhere, so the holder must stop acting on it and acquire it
// again.
func (db *DB) RenewLeases(ctx context.Context, holder string, ttl time.Duration) ([]string, error) {
	if holder == "" || ttl <= 0 {
		return nil, fmt.Errorf("renew leases of %q: need a holder and a positive ttl", holder)
	}
	now := db.now()
	var names []string
	err := db.writeTx(ctx, func(tx *txn) (err error) { names, err = leases.Renew(ctx, tx, holder, ttl, now); return err })
	if err != nil {
		return nil, fmt.Errorf("renew leases of %q: %w", holder, err)
	}
	return names, nil
}

// ReleaseLease gives up the lease name if holder has it, so another
// instance can take the work at once rather than after it expires.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := db.writeTx(ctx, func(tx *txn) error { return leases.Release(ctx, tx, name, holder) }); err != nil {
		return fmt.Errorf("release lease %q of %q: %w", name, holder, err)
	}
	return nil
}

// ReleaseLeases gives up every unexpired lease holder has, as an instance
// does when it stops, and returns how many there were. They are marked as
// run out now rather than deleted: another instance takes their work over
// at once, and can tell work that was held (and left) from work whose
// holder has not claimed it yet.
func (db *DB) ReleaseLeases(ctx context.Context, holder string) (int64, error) {
	var n int64
	now := db.now()
	err := db.writeTx(ctx, func(tx *txn) (err error) { n, err = leases.ReleaseAll(ctx, tx, holder, now); return err })
	if err != nil {
		return 0, fmt.Errorf("release leases of %q: %w", holder, err)
	}
	return n, nil
}

// LeaseOf returns the lease name as stored (expired or not), or an error
// wrapping dobot.ErrNotFound when nobody has claimed it.
func (db *DB) LeaseOf(ctx context.Context, name string) (Lease, error) {
	l, err := leases.Get(ctx, db.sql, name)
	if err != nil {
		return Lease{}, fmt.Errorf("lease %q: %w", name, err)
	}
	return l, nil
}
