// Package responseurl keeps the books on Slack's response_urls: who each
// was handed to, when, and how many of its uses are spent, so that two
// replicas cannot both take a URL's last use. The URL itself is a
// credential and stays out of the database: rows are keyed by its hash.
package responseurl

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"dobot/store/internal/sqldb"
)

// Keep is how long a response_url's record is kept: well past Slack's
// thirty minutes, after which the URL is useless anyway.
const Keep = 2 * time.Hour

// Insert records a URL's hash, user, channel and issue time, unless its
// hash is there already (a redelivered envelope carries the same URL, and
// its life runs from the first).
const Insert = `INSERT INTO response_urls (url_hash, user_id, channel_id, issued_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`

// Hash is the key a response_url is stored under.
func Hash(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:])
}

// Record remembers inside tx that url was handed to userID in channelID
// at now (see Insert), and forgets records long past use.
func Record(ctx context.Context, tx *sqldb.Txn, url, userID, channelID string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, Insert, Hash(url), userID, channelID, sqldb.FormatTime(now)); err != nil {
		return err
	}
	return Prune(ctx, tx, now)
}

// Prune forgets, inside tx, the records issued more than Keep before now.
func Prune(ctx context.Context, tx *sqldb.Txn, now time.Time) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM response_urls WHERE issued_at < ?`, sqldb.FormatTime(now.Add(-Keep)))
	return err
}

// Use counts, inside tx, one use of url if it has been used fewer than
// maxUses times and was recorded less than life before now. allowed
// reports whether the use was counted; userID is who the URL answers, ""
// when the URL was never recorded (then allowed is true: nothing is known
// against trying it).
func Use(ctx context.Context, tx *sqldb.Txn, url string, maxUses int, life time.Duration, now time.Time) (allowed bool, userID string, err error) {
	key := Hash(url)
	err = tx.QueryRowContext(ctx, `SELECT user_id FROM response_urls WHERE url_hash = ?`, key).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return true, "", nil
	}
	if err != nil {
		return false, "", err
	}
	res, err := tx.ExecContext(ctx,
		`UPDATE response_urls SET uses = uses + 1 WHERE url_hash = ? AND uses < ? AND issued_at > ?`,
		key, maxUses, sqldb.FormatTime(now.Add(-life)))
	if err != nil {
		return false, "", err
	}
	n, err := res.RowsAffected()
	return n == 1, userID, err
}
