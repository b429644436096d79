// Package holds keeps the SQL of what holds an app back or steers it: app
// locks, freezes, message routes, and what each approval request was asked
// for. The store wraps each function in its transaction and error context.
package holds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dobot"
	"dobot/store/internal/sqldb"
)

// Queryer is what sqldb.Conn and sqldb.Txn have in common.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Lock puts hold on its app inside tx unless someone holds it already, and
// returns the lock now in force and whether it is hold.
func Lock(ctx context.Context, tx *sqldb.Txn, hold dobot.AppHold) (dobot.AppHold, bool, error) {
	n, err := sqldb.ExecCount(ctx, tx, `
		INSERT INTO app_locks (app, holder, holder_name, reason, since, expiry_noted)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (app) DO NOTHING`,
		hold.App, hold.Holder, hold.HolderName, hold.Reason, sqldb.FormatTime(hold.Since), false)
	if err != nil {
		return dobot.AppHold{}, false, err
	}
	got, err := scanHold(tx.QueryRowContext(ctx, holdSelect+` WHERE app = ?`, hold.App))
	return got, n == 1, err
}

// Unlock removes the lock on app inside tx when it is holder's, placed at
// since, and reports whether it did.
func Unlock(ctx context.Context, tx *sqldb.Txn, app, holder string, since time.Time) (bool, error) {
	n, err := sqldb.ExecCount(ctx, tx, `DELETE FROM app_locks WHERE app = ? AND holder = ? AND since = ?`,
		app, holder, sqldb.FormatTime(since))
	return n > 0, err
}

// AppLock returns the lock on app, or dobot.ErrNotFound.
func AppLock(ctx context.Context, q Queryer, app string) (dobot.AppHold, error) {
	h, err := scanHold(q.QueryRowContext(ctx, holdSelect+` WHERE app = ?`, app))
	if errors.Is(err, sql.ErrNoRows) {
		return h, dobot.ErrNotFound
	}
	return h, err
}

// AppLocks lists every lock, by app name.
func AppLocks(ctx context.Context, q Queryer) ([]dobot.AppHold, error) {
	rows, err := q.QueryContext(ctx, holdSelect+` ORDER BY app`)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, scanHold)
}

// NoteLockedExpiry marks inside tx that the lock on app held back its
// expiry, and reports whether this call marked it.
func NoteLockedExpiry(ctx context.Context, tx *sqldb.Txn, app string) (bool, error) {
	n, err := sqldb.ExecCount(ctx, tx, `UPDATE app_locks SET expiry_noted = ? WHERE app = ? AND expiry_noted = ?`, true, app, false)
	return n > 0, err
}

const holdSelect = `SELECT app, holder, holder_name, reason, since, expiry_noted FROM app_locks`

func scanHold(s sqldb.Scanner) (dobot.AppHold, error) {
	var h dobot.AppHold
	var since string
	if err := s.Scan(&h.App, &h.Holder, &h.HolderName, &h.Reason, &since, &h.ExpiryNoted); err != nil {
		return h, err
	}
	var err error
	h.Since, err = sqldb.ParseTime(since)
	return h, err
}

// Freeze puts f in force inside tx, replacing any freeze on its glob.
func Freeze(ctx context.Context, tx *sqldb.Txn, f dobot.Freeze) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO freezes (glob, by_user, by_name, reason, since, ends_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (glob) DO UPDATE SET by_user = excluded.by_user, by_name = excluded.by_name,
			reason = excluded.reason, since = excluded.since, ends_at = excluded.ends_at`,
		f.Glob, f.By, f.ByName, f.Reason, sqldb.FormatTime(f.Since), sqldb.FormatTime(f.Until))
	return err
}

// Unfreeze deletes the freeze on glob inside tx and returns it, with
// whether it was in force at now.
func Unfreeze(ctx context.Context, tx *sqldb.Txn, glob string, now time.Time) (dobot.Freeze, bool, error) {
	got, err := scanFreeze(tx.QueryRowContext(ctx, freezeSelect+` WHERE glob = ?`, glob))
	if errors.Is(err, sql.ErrNoRows) {
		return dobot.Freeze{}, false, nil
	}
	if err != nil {
		return dobot.Freeze{}, false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM freezes WHERE glob = ?`, glob); err != nil {
		return dobot.Freeze{}, false, err
	}
	return got, got.Active(now), nil
}

// Freezes lists the freezes in force at now, by glob.
func Freezes(ctx context.Context, q Queryer, now time.Time) ([]dobot.Freeze, error) {
	rows, err := q.QueryContext(ctx, freezeSelect+` WHERE ends_at > ? ORDER BY glob`, sqldb.FormatTime(now))
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, scanFreeze)
}

const freezeSelect = `SELECT glob, by_user, by_name, reason, since, ends_at FROM freezes`

func scanFreeze(s sqldb.Scanner) (dobot.Freeze, error) {
	var f dobot.Freeze
	var since, until string
	if err := s.Scan(&f.Glob, &f.By, &f.ByName, &f.Reason, &since, &until); err != nil {
		return f, err
	}
	var err error
	if f.Since, err = sqldb.ParseTime(since); err != nil {
		return f, err
	}
	f.Until, err = sqldb.ParseTime(until)
	return f, err
}

// SetRoute sends r.App's messages to r.Channel inside tx, replacing any
// route, as set at now.
func SetRoute(ctx context.Context, tx *sqldb.Txn, r dobot.Route, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO app_routes (app, channel, set_by, set_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (app) DO UPDATE SET channel = excluded.channel, set_by = excluded.set_by, set_at = excluded.set_at`,
		r.App, r.Channel, r.SetBy, sqldb.FormatTime(now))
	return err
}

// DeleteRoute removes app's route inside tx, and reports whether it had one.
func DeleteRoute(ctx context.Context, tx *sqldb.Txn, app string) (bool, error) {
	n, err := sqldb.ExecCount(ctx, tx, `DELETE FROM app_routes WHERE app = ?`, app)
	return n > 0, err
}

// Route returns where app's messages go. Its lookup errors carry the
// store's context ("route of"), wrapping dobot.ErrNotFound when app has no
// route; a stored time that does not parse comes back as it is.
func Route(ctx context.Context, q Queryer, app string) (dobot.Route, error) {
	var r dobot.Route
	var at string
	err := q.QueryRowContext(ctx, `SELECT app, channel, set_by, set_at FROM app_routes WHERE app = ?`, app).
		Scan(&r.App, &r.Channel, &r.SetBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("route of %q: %w", app, dobot.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("route of %q: %w", app, err)
	}
	r.SetAt, err = sqldb.ParseTime(at)
	return r, err
}

// PutBinding records inside tx what request b.OperationID was asked for.
func PutBinding(ctx context.Context, tx *sqldb.Txn, b dobot.Binding) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO approval_bindings (operation_id, image, digest, spec_hash) VALUES (?, ?, ?, ?)
		ON CONFLICT (operation_id) DO UPDATE SET image = excluded.image, digest = excluded.digest, spec_hash = excluded.spec_hash`,
		b.OperationID, b.Image, b.Digest, b.SpecHash)
	return err
}

// Binding returns what request id was asked for, or dobot.ErrNotFound.
func Binding(ctx context.Context, q Queryer, id int64) (dobot.Binding, error) {
	b := dobot.Binding{OperationID: id}
	err := q.QueryRowContext(ctx, `SELECT image, digest, spec_hash FROM approval_bindings WHERE operation_id = ?`, id).
		Scan(&b.Image, &b.Digest, &b.SpecHash)
	if errors.Is(err, sql.ErrNoRows) {
		return b, dobot.ErrNotFound
	}
	return b, err
}
