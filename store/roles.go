package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"dobot"
	"dobot/store/internal/roles"
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
	err := db.writeTx(ctx, func(tx *txn) error { return roles.Set(ctx, tx, userID, role, by, db.now()) })
	if err != nil {
		return fmt.Errorf("set role %q: %w", userID, err)
	}
	return nil
}

// RevokeRole removes userID's role and reports whether there was one.
// Revoking the only admin fails with dobot.ErrLastAdmin, checked in the same
// write transaction as the delete.
func (db *DB) RevokeRole(ctx context.Context, userID string) (existed bool, err error) {
	err = db.writeTx(ctx, func(tx *txn) (err error) { existed, err = roles.Revoke(ctx, tx, userID); return err })
	if err != nil {
		return false, fmt.Errorf("revoke role %q: %w", userID, err)
	}
	return existed, nil
}

// Grants lists every role, highest role first, then by user id.
func (db *DB) Grants(ctx context.Context) ([]dobot.Grant, error) {
	grants, err := roles.Grants(ctx, db.sql)
	if err != nil {
		return nil, fmt.Errorf("grants: %w", err)
	}
	return grants, nil
}

// UsersWithRole lists the users holding exactly role, sorted, e.g. to name
// the admins a refused user can ask.
func (db *DB) UsersWithRole(ctx context.Context, role dobot.Role) ([]string, error) {
	ids, err := roles.UsersWithRole(ctx, db.sql, role)
	if err != nil {
		return nil, fmt.Errorf("users with role %v: %w", role, err)
	}
	return ids, nil
}

// EnsureAdmins makes every id in ids an admin, granted by "BOT_ADMINS". It is
// meant to run at every start, so users who are already admins are left
// untouched and their grant keeps its original time and grantor.
func (db *DB) EnsureAdmins(ctx context.Context, ids []string) error {
	if err := db.writeTx(ctx, func(tx *txn) error { return roles.EnsureAdmins(ctx, tx, ids, botAdmins, db.now()) }); err != nil {
		return fmt.Errorf("ensure admins: %w", err)
	}
	return nil
}
