package store

import (
	"context"
	"fmt"
	"time"

	"dobot/store/internal/responseurl"
)

// RecordResponseURL remembers that url was handed to userID in channelID
// now, unless it was already recorded (a redelivered envelope carries the
// same URL, and its life runs from the first). It also forgets records long
// past use.
func (db *DB) RecordResponseURL(ctx context.Context, url, userID, channelID string) error {
	if url == "" {
		return nil
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *txn) error { return responseurl.Record(ctx, tx, url, userID, channelID, now) })
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
	err = db.writeTx(ctx, func(tx *txn) error {
		var err error
		allowed, userID, err = responseurl.Use(ctx, tx, url, maxUses, life, now)
		return err
	})
	if err != nil {
		return false, "", fmt.Errorf("use response_url: %w", err)
	}
	return allowed, userID, nil
}
