package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dobot"
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
	err := db.writeTx(ctx, func(tx *txn) error {
		n, err := execCount(ctx, tx, `
			INSERT INTO app_locks (app, holder, holder_name, reason, since, expiry_noted)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (app) DO NOTHING`,
			hold.App, hold.Holder, hold.HolderName, hold.Reason, formatTime(hold.Since), false)
		if err != nil {
			return err
		}
		placed = n == 1
		got, err = scanHold(tx.QueryRowContext(ctx, holdSelect+` WHERE app = ?`, hold.App))
		return err
	})
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
	err := db.writeTx(ctx, func(tx *txn) error {
		n, err := execCount(ctx, tx, `DELETE FROM app_locks WHERE app = ? AND holder = ? AND since = ?`,
			app, holder, formatTime(since))
		removed = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("unlock app %q: %w", app, err)
	}
	return removed, nil
}

// AppLock returns the lock on app, or an error wrapping dobot.ErrNotFound.
func (db *DB) AppLock(ctx context.Context, app string) (dobot.AppHold, error) {
	h, err := scanHold(db.sql.QueryRowContext(ctx, holdSelect+` WHERE app = ?`, app))
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("lock on %q: %w", app, dobot.ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("lock on %q: %w", app, err)
	}
	return h, nil
}

// AppLocks lists every lock, by app name.
func (db *DB) AppLocks(ctx context.Context) ([]dobot.AppHold, error) {
	rows, err := db.sql.QueryContext(ctx, holdSelect+` ORDER BY app`)
	if err != nil {
		return nil, fmt.Errorf("app locks: %w", err)
	}
	out, err := scanAll(rows, scanHold)
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
	err := db.writeTx(ctx, func(tx *txn) error {
		n, err := execCount(ctx, tx, `UPDATE app_locks SET expiry_noted = ? WHERE app = ? AND expiry_noted = ?`, true, app, false)
		marked = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("note locked expiry of %q: %w", app, err)
	}
	return marked, nil
}

const holdSelect = `SELECT app, holder, holder_name, reason, since, expiry_noted FROM app_locks`

func scanHold(s scanner) (dobot.AppHold, error) {
	var h dobot.AppHold
	var since string
	if err := s.Scan(&h.App, &h.Holder, &h.HolderName, &h.Reason, &since, &h.ExpiryNoted); err != nil {
		return h, err
	}
	var err error
	h.Since, err = parseTime(since)
	return h, err
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
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO freezes (glob, by_user, by_name, reason, since, ends_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (glob) DO UPDATE SET by_user = excluded.by_user, by_name = excluded.by_name,
				reason = excluded.reason, since = excluded.since, ends_at = excluded.ends_at`,
			f.Glob, f.By, f.ByName, f.Reason, formatTime(f.Since), formatTime(f.Until))
		return err
	})
	if err != nil {
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
	err := db.writeTx(ctx, func(tx *txn) error {
		got, err := scanFreeze(tx.QueryRowContext(ctx, freezeSelect+` WHERE glob = ?`, glob))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM freezes WHERE glob = ?`, glob); err != nil {
			return err
		}
		f, found = got, got.Active(now)
		return nil
	})
	if err != nil {
		return f, false, fmt.Errorf("unfreeze %q: %w", glob, err)
	}
	return f, found, nil
}

// Freezes lists the freezes in force at now, by glob. Ended ones stay in
// the table until the glob is frozen or unfrozen again; they are not
// listed.
func (db *DB) Freezes(ctx context.Context, now time.Time) ([]dobot.Freeze, error) {
	rows, err := db.sql.QueryContext(ctx, freezeSelect+` WHERE ends_at > ? ORDER BY glob`, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("freezes: %w", err)
	}
	out, err := scanAll(rows, scanFreeze)
	if err != nil {
		return nil, fmt.Errorf("freezes: %w", err)
	}
	return out, nil
}

const freezeSelect = `SELECT glob, by_user, by_name, reason, since, ends_at FROM freezes`

func scanFreeze(s scanner) (dobot.Freeze, error) {
	var f dobot.Freeze
	var since, until string
	if err := s.Scan(&f.Glob, &f.By, &f.ByName, &f.Reason, &since, &until); err != nil {
		return f, err
	}
	var err error
	if f.Since, err = parseTime(since); err != nil {
		return f, err
	}
	f.Until, err = parseTime(until)
	return f, err
}

// SetRoute sends app's messages to r.Channel, replacing any route. SetAt
// is stamped from the store clock.
func (db *DB) SetRoute(ctx context.Context, r dobot.Route) error {
	if r.App == "" || r.Channel == "" {
		return errors.New("set route: empty app or channel")
	}
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO app_routes (app, channel, set_by, set_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (app) DO UPDATE SET channel = excluded.channel, set_by = excluded.set_by, set_at = excluded.set_at`,
			r.App, r.Channel, r.SetBy, formatTime(db.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("route %q: %w", r.App, err)
	}
	return nil
}

// DeleteRoute sends app's messages back to where commands are typed, and
// reports whether it had a route.
func (db *DB) DeleteRoute(ctx context.Context, app string) (bool, error) {
	var removed bool
	err := db.writeTx(ctx, func(tx *txn) error {
		n, err := execCount(ctx, tx, `DELETE FROM app_routes WHERE app = ?`, app)
		removed = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delete route %q: %w", app, err)
	}
	return removed, nil
}

// Route returns where app's messages go, or an error wrapping
// dobot.ErrNotFound when they go where commands are typed.
func (db *DB) Route(ctx context.Context, app string) (dobot.Route, error) {
	var r dobot.Route
	var at string
	err := db.sql.QueryRowContext(ctx, `SELECT app, channel, set_by, set_at FROM app_routes WHERE app = ?`, app).
		Scan(&r.App, &r.Channel, &r.SetBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("route of %q: %w", app, dobot.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("route of %q: %w", app, err)
	}
	r.SetAt, err = parseTime(at)
	return r, err
}

// PutBinding records what request b.OperationID was asked for.
func (db *DB) PutBinding(ctx context.Context, b dobot.Binding) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO approval_bindings (operation_id, image, digest, spec_hash) VALUES (?, ?, ?, ?)
			ON CONFLICT (operation_id) DO UPDATE SET image = excluded.image, digest = excluded.digest, spec_hash = excluded.spec_hash`,
			b.OperationID, b.Image, b.Digest, b.SpecHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("bind request %d: %w", b.OperationID, err)
	}
	return nil
}

// Binding returns what request id was asked for, or an error wrapping
// dobot.ErrNotFound when nothing was recorded (a request from before
// bindings, or one that needed no approval).
func (db *DB) Binding(ctx context.Context, id int64) (dobot.Binding, error) {
	b := dobot.Binding{OperationID: id}
	err := db.sql.QueryRowContext(ctx, `SELECT image, digest, spec_hash FROM approval_bindings WHERE operation_id = ?`, id).
		Scan(&b.Image, &b.Digest, &b.SpecHash)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("binding of request %d: %w", id, dobot.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("binding of request %d: %w", id, err)
	}
	return b, nil
}
