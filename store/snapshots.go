package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Snapshot is what a replica last read of one app from DigitalOcean (the
// app's JSON) and when, shared with the other replicas watching it.
type Snapshot struct {
	Body   []byte
	ReadAt time.Time
}

// snapshotLife is how long an app's snapshot is kept after it was last
// read: long past anyone's interest, but bounded.
const snapshotLife = time.Hour

// SaveSnapshots stores bodies (app id → JSON) as read now, in place of
// what was stored for those apps, and forgets snapshots nobody has
// refreshed for an hour.
func (db *DB) SaveSnapshots(ctx context.Context, bodies map[string][]byte) error {
	if len(bodies) == 0 {
		return nil
	}
	now := db.now()
	var (
		values []string
		args   []any
	)
	for id, body := range bodies {
		values = append(values, "(?, ?, ?)")
		args = append(args, id, string(body), formatTime(now))
	}
	err := db.writeTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO watch_snapshots (app_id, body, read_at) VALUES `+strings.Join(values, ", ")+`
			ON CONFLICT (app_id) DO UPDATE SET body = excluded.body, read_at = excluded.read_at`, args...); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM watch_snapshots WHERE read_at < ?`, formatTime(now.Add(-snapshotLife)))
		return err
	})
	if err != nil {
		return fmt.Errorf("save %d app snapshots: %w", len(bodies), err)
	}
	return nil
}

// Snapshots returns the stored snapshots of the apps ids, by id; an app
// nobody has read is missing.
func (db *DB) Snapshots(ctx context.Context, ids []string) (map[string]Snapshot, error) {
	out := make(map[string]Snapshot, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT app_id, body, read_at FROM watch_snapshots WHERE app_id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read app snapshots: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, body, at string
		if err := rows.Scan(&id, &body, &at); err != nil {
			return nil, fmt.Errorf("read app snapshots: %w", err)
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, err
		}
		out[id] = Snapshot{Body: []byte(body), ReadAt: t}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read app snapshots: %w", err)
	}
	return out, nil
}
