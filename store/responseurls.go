package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// responseURLKeep is how long a response_url's record is kept: well past
// Slack's thirty minutes, after which the URL is useless anyway.
const responseURLKeep = 2 * time.Hour

// hashURL is the key a response_url is stored under; the URL itself is a
// credential and stays out of the database.
func hashURL(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:])
}

// RecordResponseURL remembers that url was handed to userID in channelID
// now, unless it was already recorded (a redelivered envelope carries the
// same URL, and its life runs from the first). It also forgets records long
// past use.
func (db *DB) RecordResponseURL(ctx context.Context, url, userID, channelID string) error {
	if url == "" {
		return nil
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO response_urls (url_hash, user_id, channel_id, issued_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			hashURL(url), userID, channelID, formatTime(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM response_urls WHERE issued_at < ?`, formatTime(now.Add(-responseURLKeep)))
		return err
	})
	if err != nil {
		return fmt.Errorf("record response_url: %w", err)
	}
	return nil
}

// UseResponseURL counts one use of url if it has been used fewer than
// maxUses times and was recorded less than life ago, in one step, so two
// replicas or goroutines cannot both take the last use. allowed reports
// whether the use was counted; userID is who the URL answers, "" when the
// URL was never recorded (then allowed is true: nothing is known against
// trying it).
func (db *DB) UseResponseURL(ctx context.Context, url string, maxUses int, life time.Duration) (allowed bool, userID string, err error) {
	now := db.now()
	key := hashURL(url)
	err = db.writeTx(ctx, func(tx *txn) error {
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM response_urls WHERE url_hash = ?`, key).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			allowed = true
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx,
			`UPDATE response_urls SET uses = uses + 1 WHERE url_hash = ? AND uses < ? AND issued_at > ?`,
			key, maxUses, formatTime(now.Add(-life)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		allowed = n == 1
		return err
	})
	if err != nil {
		return false, "", fmt.Errorf("use response_url: %w", err)
	}
	return allowed, userID, nil
}
