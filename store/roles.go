package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"dobot"
)

// botAdmins is the GrantedBy of roles that come from configuration rather
// than from a person.
const botAdmins = "BOT_ADMINS"

// Role returns userID's role, or RoleNone (and no error) for someone the
// store does not know: not being known is the normal case, not a failure.
func (db *DB) Role(ctx context.Context, userID string) (dobot.Role, error) {
	return cached(db, "role:"+userID, same, func() (dobot.Role, error) { return db.queryRole(ctx, userID) })
}

func (db *DB) queryRole(ctx context.Context, userID string) (dobot.Role, error) {
	var role int
	row, err := db.queryRowPrepared(ctx, `SELECT role FROM roles WHERE user_id = ?`, userID)
	if err == nil {
		err = row.Scan(&role)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return dobot.RoleNone, nil
	}
	if err != nil {
		return dobot.RoleNone, fmt.Errorf("role %q: %w", userID, err)
	}
	return dobot.Role(role), nil
}

// SetRole grants userID role, replacing any role they had. by is the Slack
// user id of the admin granting it. RoleNone is refused: use RevokeRole.
// Demoting the only admin fails with dobot.ErrLastAdmin; the check and the
// change share one write transaction, so two admins demoting each other at
// once cannot both succeed.
func (db *DB) SetRole(ctx context.Context, userID string, role dobot.Role, by string) error {
	if role <= dobot.RoleNone || role > dobot.RoleAdmin {
		return fmt.Errorf("set role %q: invalid role %v", userID, role)
	}
	if userID == "" {
		return errors.New("set role: empty user id")
	}
	err := db.writeTx(ctx, func(tx *txn) error {
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
			userID, int(role), by, formatTime(db.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("set role %q: %w", userID, err)
	}
	return nil
}

// RevokeRole removes userID's role and reports whether there was one.
// Revoking the only admin fails with dobot.ErrLastAdmin, checked in the same
// write transaction as the delete.
func (db *DB) RevokeRole(ctx context.Context, userID string) (existed bool, err error) {
	err = db.writeTx(ctx, func(tx *txn) error {
		if err := keepAnAdmin(ctx, tx, userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		existed = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("revoke role %q: %w", userID, err)
	}
	return existed, nil
}

// keepAnAdmin fails with dobot.ErrLastAdmin when userID is an admin and no
// one else is. It must run in the transaction that makes the change.
func keepAnAdmin(ctx context.Context, tx *txn, userID string) error {
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
func (db *DB) Grants(ctx context.Context) ([]dobot.Grant, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT user_id, role, granted_by, granted_at FROM roles
		ORDER BY role DESC, user_id`)
	if err != nil {
		return nil, fmt.Errorf("grants: %w", err)
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
			return nil, fmt.Errorf("grants: %w", err)
		}
		g.Role = dobot.Role(role)
		if g.GrantedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("grants: %w", err)
		}
		grants = append(grants, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("grants: %w", err)
	}
	return grants, nil
}

// UsersWithRole lists the users holding exactly role, sorted, e.g. to name
// the admins a refused user can ask.
func (db *DB) UsersWithRole(ctx context.Context, role dobot.Role) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT user_id FROM roles WHERE role = ? ORDER BY user_id`, int(role))
	if err != nil {
		return nil, fmt.Errorf("users with role %v: %w", role, err)
	}
	defer rows.Close()

	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("users with role %v: %w", role, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users with role %v: %w", role, err)
	}
	return ids, nil
}

// EnsureAdmins makes every id in ids an admin, granted by "BOT_ADMINS". It is
// meant to run at every start, so users who are already admins are left
// untouched and their grant keeps its original time and grantor.
func (db *DB) EnsureAdmins(ctx context.Context, ids []string) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		now := formatTime(db.now())
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
				id, int(dobot.RoleAdmin), botAdmins, now)
			if err != nil {
				return fmt.Errorf("%q: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ensure admins: %w", err)
	}
	return nil
}
