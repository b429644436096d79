package store

import (
	"context"
	"fmt"
	"time"
)

// NoteHomeOpened records that userID opened their home page now, so that
// whichever replica republishes home pages keeps theirs current.
func (db *DB) NoteHomeOpened(ctx context.Context, userID string) error {
	if userID == "" {
		return fmt.Errorf("note home opened: need a user id")
	}
	now := formatTime(db.now())
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO home_viewers (user_id, opened_at) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET opened_at = excluded.opened_at
			WHERE home_viewers.opened_at < excluded.opened_at`, userID, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("note home opened by %s: %w", userID, err)
	}
	return nil
}

// HomeViewers lists, sorted, the people who opened their home page within
// the last while, by the store's clock (the one NoteHomeOpened uses).
func (db *DB) HomeViewers(ctx context.Context, within time.Duration) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT user_id FROM home_viewers WHERE opened_at >= ? ORDER BY user_id`, formatTime(db.now().Add(-within)))
	if err != nil {
		return nil, fmt.Errorf("home viewers: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("home viewers: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("home viewers: %w", err)
	}
	return ids, nil
}

// ForgetHomeViewers forgets the people who last opened their home page
// longer ago than after, and returns how many.
func (db *DB) ForgetHomeViewers(ctx context.Context, after time.Duration) (int64, error) {
	var n int64
	before := db.now().Add(-after)
	err := db.writeTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM home_viewers WHERE opened_at < ?`, formatTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("forget home viewers: %w", err)
	}
	return n, nil
}

// HomeChanges returns how many changes to what a home page shows the
// database has seen (apps written or deleted; operations created, or their
// state or expiry changed: database triggers count them in the writing
// transaction, whoever wrote), and up to which count home pages were
// republished (MarkHomePublished). One cheap read, for polling.
func (db *DB) HomeChanges(ctx context.Context) (changes, published int64, err error) {
	row, err := db.queryRowPrepared(ctx, `SELECT changes, published FROM home_changes WHERE id = 1`)
	if err == nil {
		err = row.Scan(&changes, &published)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("home changes: %w", err)
	}
	return changes, published, nil
}

// MarkHomePublished records that home pages were republished for the
// changes counted up to upto. It never moves the mark back, so a replica
// that lost the loop's lease mid-publish cannot undo a newer mark.
func (db *DB) MarkHomePublished(ctx context.Context, upto int64) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE home_changes SET published = ? WHERE id = 1 AND published < ?`, upto, upto)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark home pages published up to %d: %w", upto, err)
	}
	return nil
}
