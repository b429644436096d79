package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dobot"
	"dobot/store/internal/holds"
)

// LockApp puts hold on its app unless someone holds it already. It returns
// the lock now in force, and whether it is hold: when another lock was
// there first, that one is returned and nothing changes. Since is stamped
// from the store clock.
func (db *DB) LockApp(ctx context.Context, hold dobot.AppHold) (dobot.AppHold, bool, error) {
	if hold.App == "" || hold.Holder == "" {
		return dobot.AppHold{}, false, errors.New("lock app: empty app or holder")
	}
	hold.Since, hold.ExpiryNoted = db.now(), false
	var got dobot.AppHold
	var placed bool
	err := db.writeTx(ctx, func(tx *txn) (err error) { got, placed, err = holds.Lock(ctx, tx, hold); return err })
	if err != nil {
		return dobot.AppHold{}, false, fmt.Errorf("lock app %q: %w", hold.App, err)
	}
	return got, placed, nil
}

// UnlockApp removes the lock on app when it is the one held since since by
// holder (compare-and-delete, so an unlock never removes a lock placed after
// the one its caller saw). It reports whether it removed it.
func (db *DB) UnlockApp(ctx context.Context, app, holder string, since time.Time) (bool, error) {
	var removed bool
	err := db.writeTx(ctx, func(tx *txn) (err error) { removed, err = holds.Unlock(ctx, tx, app, holder, since); return err })
	if err != nil {
		return false, fmt.Errorf("unlock app %q: %w", app, err)
	}
	return removed, nil
}

// AppLock returns the lock on app, or an error wrapping dobot.ErrNotFound.
func (db *DB) AppLock(ctx context.Context, app string) (dobot.AppHold, error) {
	h, err := holds.AppLock(ctx, db.sql, app)
	if err != nil {
		return h, fmt.Errorf("lock on %q: %w", app, err)
	}
	return h, nil
}

// AppLocks lists every lock, by app name.
func (db *DB) AppLocks(ctx context.Context) ([]dobot.AppHold, error) {
	out, err := holds.AppLocks(ctx, db.sql)
	if err != nil {
		return nil, fmt.Errorf("app locks: %w", err)
	}
	return out, nil
}

// NoteLockedExpiry marks that the bot said the lock on app holds back its
// expiry. It reports whether this call marked it, so that exactly one
// caller posts the note for each lock.
func (db *DB) NoteLockedExpiry(ctx context.Context, app string) (bool, error) {
	var marked bool
	err := db.writeTx(ctx, func(tx *txn) (err error) { marked, err = holds.NoteLockedExpiry(ctx, tx, app); return err })
	if err != nil {
		return false, fmt.Errorf("note locked expiry of %q: %w", app, err)
	}
	return marked, nil
}

// Freeze puts f in force, replacing any freeze on the same glob (a new
// freeze on it changes its end and reason). Since is stamped from the store
// clock.
func (db *DB) Freeze(ctx context.Context, f dobot.Freeze) (dobot.Freeze, error) {
	if f.Glob == "" || f.By == "" || f.Until.IsZero() {
		return f, errors.New("freeze: empty glob, author or end")
	}
	f.Since = db.now()
	f.Until = normTime(f.Until)
	if err := db.writeTx(ctx, func(tx *txn) error { return holds.Freeze(ctx, tx, f) }); err != nil {
		return f, fmt.Errorf("freeze %q: %w", f.Glob, err)
	}
	return f, nil
}

// Unfreeze ends the freeze on glob and returns it, with false when no
// freeze on glob was in force.
func (db *DB) Unfreeze(ctx context.Context, glob string) (dobot.Freeze, bool, error) {
	var f dobot.Freeze
	var found bool
	now := db.now()
	err := db.writeTx(ctx, func(tx *txn) (err error) { f, found, err = holds.Unfreeze(ctx, tx, glob, now); return err })
	if err != nil {
		return f, false, fmt.Errorf("unfreeze %q: %w", glob, err)
	}
	return f, found, nil
}

// Freezes lists the freezes in force at now, by glob. Ended ones stay in
// the table until the glob is frozen or unfrozen again; they are not
// listed.
func (db *DB) Freezes(ctx context.Context, now time.Time) ([]dobot.Freeze, error) {
	out, err := holds.Freezes(ctx, db.sql, now)
	if err != nil {
		return nil, fmt.Errorf("freezes: %w", err)
	}
	return out, nil
}

// SetRoute sends app's messages to r.Channel, replacing any route. SetAt
// is stamped from the store clock.
func (db *DB) SetRoute(ctx context.Context, r dobot.Route) error {
	if r.App == "" || r.Channel == "" {
		return errors.New("set route: empty app or channel")
	}
	if err := db.writeTx(ctx, func(tx *txn) error { return holds.SetRoute(ctx, tx, r, db.now()) }); err != nil {
		return fmt.Errorf("route %q: %w", r.App, err)
	}
	return nil
}

// DeleteRoute sends app's messages back to where commands are typed, and
// reports whether it had a route.
func (db *DB) DeleteRoute(ctx context.Context, app string) (bool, error) {
	var removed bool
	err := db.writeTx(ctx, func(tx *txn) (err error) { removed, err = holds.DeleteRoute(ctx, tx, app); return err })
	if err != nil {
		return false, fmt.Errorf("delete route %q: %w", app, err)
	}
	return removed, nil
}

// Route returns where app's messages go, or an error wrapping
// dobot.ErrNotFound when they go where commands are typed.
func (db *DB) Route(ctx context.Context, app string) (dobot.Route, error) {
	return holds.Route(ctx, db.sql, app)
}

// PutBinding records what request b.OperationID was asked for.
func (db *DB) PutBinding(ctx context.Context, b dobot.Binding) error {
	if err := db.writeTx(ctx, func(tx *txn) error { return holds.PutBinding(ctx, tx, b) }); err != nil {
		return fmt.Errorf("bind request %d: %w", b.OperationID, err)
	}
	return nil
}

// Binding returns what request id was asked for, or an error wrapping
// dobot.ErrNotFound when nothing was recorded (a request from before
// bindings, or one that needed no approval).
func (db *DB) Binding(ctx context.Context, id int64) (dobot.Binding, error) {
	b, err := holds.Binding(ctx, db.sql, id)
	if err != nil {
		return b, fmt.Errorf("binding of request %d: %w", id, err)
	}
	return b, nil
}
