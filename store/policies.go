package store

import (
	"context"
	"errors"
	"fmt"

	"dobot"
)

// Policies lists every policy, sorted by action and then app glob, so an
// action's default (empty glob) comes first.
func (db *DB) Policies(ctx context.Context) ([]dobot.Policy, error) {
	rows, err := db.queryPrepared(ctx, `
		SELECT action, app_glob, role, needs_approval, approval_above_cents, updated_by, updated_at
		FROM policies ORDER BY action, app_glob`)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	defer rows.Close()

	var ps []dobot.Policy
	for rows.Next() {
		var (
			p    dobot.Policy
			role int
			at   string
		)
		if err := rows.Scan(&p.Action, &p.AppGlob, &role, &p.NeedsApproval, &p.ApprovalAboveCents, &p.UpdatedBy, &at); err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
		p.Role = dobot.Role(role)
		if p.UpdatedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	return ps, nil
}

// SetPolicy stores p, replacing the policy with the same action and app
// glob, and stamps UpdatedAt from the store clock.
func (db *DB) SetPolicy(ctx context.Context, p dobot.Policy) error {
	if p.Action == "" {
		return errors.New("set policy: empty action")
	}
	if p.ApprovalAboveCents < 0 {
		return fmt.Errorf("set policy %s %q: negative cost limit %d", p.Action, p.AppGlob, p.ApprovalAboveCents)
	}
	if p.Role < dobot.RoleNone || p.Role > dobot.RoleAdmin {
		return fmt.Errorf("set policy %s %q: invalid role %v", p.Action, p.AppGlob, p.Role)
	}
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO policies (action, app_glob, role, needs_approval, approval_above_cents, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (action, app_glob) DO UPDATE SET
				role = excluded.role,
				needs_approval = excluded.needs_approval,
				approval_above_cents = excluded.approval_above_cents,
				updated_by = excluded.updated_by,
				updated_at = excluded.updated_at`,
			p.Action, p.AppGlob, int(p.Role), p.NeedsApproval, p.ApprovalAboveCents, p.UpdatedBy, formatTime(db.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("set policy %s %q: %w", p.Action, p.AppGlob, err)
	}
	return nil
}

// DeletePolicy removes the policy for action and glob and reports whether
// there was one.
func (db *DB) DeletePolicy(ctx context.Context, action, glob string) (bool, error) {
	var existed bool
	err := db.writeTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM policies WHERE action = ? AND app_glob = ?`, action, glob)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		existed = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delete policy %s %q: %w", action, glob, err)
	}
	return existed, nil
}
