package store

import (
	"context"
	"dobot/store/internal/sqldb"
	"fmt"
	"slices"
	"time"
)

// Handled keys only need to outlive Slack's retries, which stop within
// minutes; a day is generous. Pruning on every call would be wasted work.
const (
	handledTTL      = 24 * time.Hour
	pruneEveryMarks = 1000
)

// MarkHandled records key (a Slack envelope id, a button click id, …) and
// reports whether this is the first time it has been seen, so a redelivered
// event is handled once. Every 1000 calls it also drops keys older than a day.
func (db *DB) MarkHandled(ctx context.Context, key string) (first bool, err error) {
	now := db.now()
	prune := db.marks.Add(1)%pruneEveryMarks == 0
	err = db.writeTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO handled (key, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, key, formatTime(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		first = n == 1
		if prune {
			_, err = tx.ExecContext(ctx,
				`DELETE FROM handled WHERE seen_at < ?`, formatTime(now.Add(-handledTTL)))
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark handled %q: %w", key, err)
	}
	return first, nil
}

// PruneHandled forgets handled keys first seen before before and returns how
// many it dropped.
func (db *DB) PruneHandled(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM handled WHERE seen_at < ?`, formatTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune handled: %w", err)
	}
	return n, nil
}

// RecentHandledKeys returns the limit newest keys of commands and clicks
// (cmd:…, click:…) recorded as handled, oldest first, after committing
// any journaled ones, for the listener to remember across a restart.
func (db *DB) RecentHandledKeys(ctx context.Context, limit int) ([]string, error) {
	if err := db.flushJournal(ctx); err != nil {
		return nil, fmt.Errorf("recent handled keys: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, `
		SELECT key FROM handled WHERE key LIKE 'cmd:%' OR key LIKE 'click:%'
		ORDER BY seen_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent handled keys: %w", err)
	}
	keys, err := sqldb.ScanAll(rows, func(r scanner) (string, error) {
		var k string
		return k, r.Scan(&k)
	})
	if err != nil {
		return nil, fmt.Errorf("recent handled keys: %w", err)
	}
	slices.Reverse(keys)
	return keys, nil
}
