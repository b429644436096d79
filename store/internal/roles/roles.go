// Package roles keeps the SQL of who holds which role, and the rule that
// the last admin cannot be demoted or revoked. The store wraps each
// function in its transaction, cache and error context.
package roles

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"dobot"
	"dobot/store/internal/sqldb"
)

// Queryer is what sqldb.Conn and sqldb.Txn have in common.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Set grants userID role inside tx as by at now, replacing any role they
// had, unless that demotes the only admin (dobot.ErrLastAdmin).
func Set(ctx context.Context, tx *sqldb.Txn, userID string, role dobot.Role, by string, now time.Time) error {
	if role < dobot.RoleAdmin {
		if err := keepAnAdmin(ctx, tx, userID); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO roles (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET
			role = excluded.role,
			granted_by = excluded.granted_by,
			granted_at = excluded.granted_at`,
		userID, int(role), by, sqldb.FormatTime(now))
	return err
}

// Revoke removes userID's role inside tx, unless they are the only admin
// (dobot.ErrLastAdmin), and reports whether there was one.
func Revoke(ctx context.Context, tx *sqldb.Txn, userID string) (bool, error) {
	if err := keepAnAdmin(ctx, tx, userID); err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE user_id = ?`, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// keepAnAdmin fails with dobot.ErrLastAdmin when userID is an admin and no
// one else is. It must run in the transaction that makes the change.
func keepAnAdmin(ctx context.Context, tx *sqldb.Txn, userID string) error {
	var isAdmin, others int
	err := tx.QueryRowContext(ctx, `
		SELECT
			count(*) FILTER (WHERE user_id = ?),
			count(*) FILTER (WHERE user_id <> ?)
		FROM roles WHERE role = ?`, userID, userID, int(dobot.RoleAdmin)).Scan(&isAdmin, &others)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if isAdmin > 0 && others == 0 {
		return dobot.ErrLastAdmin
	}
	return nil
}

// Grants lists every role, highest role first, then by user id.
func Grants(ctx context.Context, q Queryer) ([]dobot.Grant, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT user_id, role, granted_by, granted_at FROM roles
		ORDER BY role DESC, user_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var grants []dobot.Grant
	for rows.Next() {
		var (
			g    dobot.Grant
			role int
			at   string
		)
		if err := rows.Scan(&g.UserID, &role, &g.GrantedBy, &at); err != nil {
			return nil, err
		}
		g.Role = dobot.Role(role)
		if g.GrantedAt, err = sqldb.ParseTime(at); err != nil {
			return nil, err
		}
		grants = append(grants, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return grants, nil
}

// UsersWithRole lists the users holding exactly role, sorted.
func UsersWithRole(ctx context.Context, q Queryer, role dobot.Role) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id FROM roles WHERE role = ? ORDER BY user_id`, int(role))
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ids, nil
}

// EnsureAdmins makes every id in ids an admin inside tx, granted by by at
// now, leaving those who are admins already untouched.
func EnsureAdmins(ctx context.Context, tx *sqldb.Txn, ids []string, by string, now time.Time) error {
	at := sqldb.FormatTime(now)
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO roles (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET
				role = excluded.role,
				granted_by = excluded.granted_by,
				granted_at = excluded.granted_at
			WHERE roles.role <> excluded.role`,
			id, int(dobot.RoleAdmin), by, at)
		if err != nil {
			return fmt.Errorf("%q: %w", id, err)
		}
	}
	return nil
}
