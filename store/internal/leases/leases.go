// Package leases keeps the SQL of leases: named, expiring claims on a
// piece of work, so that of several instances only one does it. The store
// wraps each function in its transaction and error context.
package leases

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"dobot"
	"dobot/store/internal/sqldb"
)

// Queryer is what sqldb.Conn and sqldb.Txn have in common.
type Queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Acquire gives the lease name to holder inside tx until now plus ttl, if
// it is free, has expired, or is holder's already, and returns the lease
// as it stands afterwards. The check and the claim are one statement.
func Acquire(ctx context.Context, tx *sqldb.Txn, name, holder string, ttl time.Duration, now time.Time) (dobot.Lease, error) {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
		name, holder, sqldb.FormatTime(now.Add(ttl)), sqldb.FormatTime(now))
	if err != nil {
		return dobot.Lease{}, err
	}
	return Get(ctx, tx, name)
}

// Renew extends inside tx every lease holder has that is unexpired at now
// to now plus ttl, and returns their names, sorted.
func Renew(ctx context.Context, tx *sqldb.Txn, holder string, ttl time.Duration, now time.Time) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE holder = ? AND expires_at > ?`,
		sqldb.FormatTime(now.Add(ttl)), holder, sqldb.FormatTime(now)); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM leases WHERE holder = ? AND expires_at > ? ORDER BY name`,
		holder, sqldb.FormatTime(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// Release deletes the lease name inside tx if holder has it.
func Release(ctx context.Context, tx *sqldb.Txn, name, holder string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
	return err
}

// ReleaseAll marks inside tx every lease holder has that is unexpired at
// now as run out at now, and returns how many there were.
func ReleaseAll(ctx context.Context, tx *sqldb.Txn, holder string, now time.Time) (int64, error) {
	at := sqldb.FormatTime(now)
	res, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE holder = ? AND expires_at > ?`, at, holder, at)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Get returns the lease name as stored (expired or not), or
// dobot.ErrNotFound when nobody has claimed it.
func Get(ctx context.Context, q Queryer, name string) (dobot.Lease, error) {
	var (
		l   dobot.Lease
		exp string
	)
	err := q.QueryRowContext(ctx, `SELECT name, holder, expires_at FROM leases WHERE name = ?`, name).
		Scan(&l.Name, &l.Holder, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return dobot.Lease{}, dobot.ErrNotFound
	}
	if err != nil {
		return dobot.Lease{}, err
	}
	l.Expires, err = sqldb.ParseTime(exp)
	return l, err
}
