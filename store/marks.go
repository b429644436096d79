package store

import (
	"context"
	"fmt"

	"dobot"
)

// SetDeploymentMark records m as the newest deployment reported for its
// app, replacing an older mark only: a mark never moves back in time.
func (db *DB) SetDeploymentMark(ctx context.Context, m dobot.DeploymentMark) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO deployment_marks (app_id, deployment_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (app_id) DO UPDATE SET deployment_id = excluded.deployment_id, created_at = excluded.created_at
			WHERE deployment_marks.created_at <= excluded.created_at`,
			m.AppID, m.DeploymentID, formatTime(m.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark deployment %s of app %s: %w", m.DeploymentID, m.AppID, err)
	}
	return nil
}

// DeploymentMarks returns every app's mark, by app id.
func (db *DB) DeploymentMarks(ctx context.Context) (map[string]dobot.DeploymentMark, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT app_id, deployment_id, created_at FROM deployment_marks`)
	if err != nil {
		return nil, fmt.Errorf("read deployment marks: %w", err)
	}
	defer rows.Close()
	out := map[string]dobot.DeploymentMark{}
	for rows.Next() {
		var m dobot.DeploymentMark
		var at string
		if err := rows.Scan(&m.AppID, &m.DeploymentID, &at); err != nil {
			return nil, fmt.Errorf("read deployment marks: %w", err)
		}
		if m.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out[m.AppID] = m
	}
	return out, rows.Err()
}
