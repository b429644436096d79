package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dobot"
)

// Audit query limits: a page by default, and a cap so one request cannot
// pull the whole log into memory (AuditAll streams for exports).
const (
	defaultAuditLimit = 50
	maxAuditLimit     = 1000
)

const auditColumns = `id, time, user_id, user_name, channel, command_text, action,
	target, decision, outcome, error, details, prev_hash, hash`

// AppendAudit appends e to the audit log and returns it as stored, with ID,
// Time (from the store clock when zero), PrevHash and Hash filled in. Any
// PrevHash or Hash in e is ignored. Reading the previous hash and inserting
// happen in one serialized transaction, so concurrent writers cannot fork the
// chain.
func (db *DB) AppendAudit(ctx context.Context, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	var stored dobot.AuditEntry
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		stored, err = db.appendAuditTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return dobot.AuditEntry{}, fmt.Errorf("append audit %s %s: %w", e.Action, e.Target, err)
	}
	return stored, nil
}

// appendAuditTx appends e inside tx, a write transaction, and returns it as
// stored. Every audit row goes through here, including those written in the
// same transaction as the change they record.
func (db *DB) appendAuditTx(ctx context.Context, tx *sql.Tx, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	e.Time = normTime(e.Time)
	err := tx.QueryRowContext(ctx,
		`SELECT hash FROM audit ORDER BY id DESC LIMIT 1`).Scan(&e.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		e.PrevHash = ""
	} else if err != nil {
		return e, fmt.Errorf("read previous hash: %w", err)
	}
	e.Hash = auditHash(e)
	res, err := tx.ExecContext(ctx, `
		INSERT INTO audit (time, user_id, user_name, channel, command_text, action,
			target, decision, outcome, error, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(e.Time), e.UserID, e.UserName, e.Channel, e.CommandText, e.Action,
		e.Target, e.Decision, e.Outcome, e.Error, e.Details, e.PrevHash, e.Hash)
	if err != nil {
		return e, err
	}
	e.ID, err = res.LastInsertId()
	return e, err
}

// auditHash is the hex SHA-256 of every field of e except ID and Hash. The
// fields are encoded as a JSON array of strings, which cannot be confused
// for a different set of values the way plain concatenation can. The leading
// "v1" lets the encoding change later without rehashing old rows.
func auditHash(e dobot.AuditEntry) string {
	fields := []string{
		"v1",
		formatTime(e.Time),
		e.UserID, e.UserName, e.Channel, e.CommandText, e.Action,
		e.Target, e.Decision, e.Outcome, e.Error, e.Details,
		e.PrevHash,
	}
	// Marshalling a []string cannot fail.
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Audit returns the rows matching f, newest first. Filters are ANDed; Limit
// defaults to 50 and is capped at 1000.
func (db *DB) Audit(ctx context.Context, f dobot.AuditFilter) ([]dobot.AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	if f.UserID != "" {
		where = append(where, "user_id = ?")
		args = append(args, f.UserID)
	}
	if f.Target != "" {
		where = append(where, "target = ?")
		args = append(args, f.Target)
	}
	if f.Action != "" {
		where = append(where, "action = ?")
		args = append(args, f.Action)
	}
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, formatTime(f.Since))
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = defaultAuditLimit
	case limit > maxAuditLimit:
		limit = maxAuditLimit
	}
	args = append(args, limit)

	q := `SELECT ` + auditColumns + ` FROM audit`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`

	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()

	entries := make([]dobot.AuditEntry, 0, min(limit, 64))
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return entries, nil
}

// AuditAll calls fn for every row with Time at or after since (all rows when
// since is zero), oldest first, without holding them all in memory. It stops
// at the first error fn returns and returns it wrapped.
func (db *DB) AuditAll(ctx context.Context, since time.Time, fn func(dobot.AuditEntry) error) error {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT `+auditColumns+` FROM audit WHERE time >= ? ORDER BY id`, formatTime(since))
	if err != nil {
		return fmt.Errorf("audit all: %w", err)
	}
	defer rows.Close()

	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("audit all: %w", err)
		}
		if err := fn(e); err != nil {
			return fmt.Errorf("audit all: row %d: %w", e.ID, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit all: %w", err)
	}
	return nil
}

// AuditCount returns the number of audit rows.
func (db *DB) AuditCount(ctx context.Context) (int, error) {
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM audit`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit count: %w", err)
	}
	return n, nil
}

// VerifyAudit recomputes the hash chain in id order and returns how many rows
// it checked. The error names the first row whose hash or prev-hash does not
// match: an edited row fails its own hash, a deleted row fails the next
// row's prev-hash, and rows cut off the end are caught by comparing the last
// id with the highest id SQLite ever assigned.
func (db *DB) VerifyAudit(ctx context.Context) (checked int, err error) {
	// One read transaction, so the rows and the sequence come from the same
	// snapshot even while the bot keeps appending.
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("verify audit: %w", err)
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()

	prev, lastID := "", int64(0)
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return checked, fmt.Errorf("verify audit: after row %d: %w", lastID, err)
		}
		if e.PrevHash != prev {
			return checked, fmt.Errorf("verify audit: row %d: prev hash %.12s does not match hash %.12s of row %d (a row was removed or changed)",
				e.ID, e.PrevHash, prev, lastID)
		}
		if want := auditHash(e); e.Hash != want {
			return checked, fmt.Errorf("verify audit: row %d: stored hash %.12s does not match its contents (%.12s); the row was changed",
				e.ID, e.Hash, want)
		}
		prev, lastID = e.Hash, e.ID
		checked++
	}
	if err := rows.Err(); err != nil {
		return checked, fmt.Errorf("verify audit: %w", err)
	}

	var seq int64
	err = tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'audit'`).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return checked, fmt.Errorf("verify audit: read sequence: %w", err)
	}
	if seq > lastID {
		return checked, fmt.Errorf("verify audit: row %d: rows after id %d up to %d are missing", lastID+1, lastID, seq)
	}
	return checked, nil
}

// scanAudit reads one row of auditColumns.
func scanAudit(s scanner) (dobot.AuditEntry, error) {
	var (
		e  dobot.AuditEntry
		at string
	)
	err := s.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Channel, &e.CommandText, &e.Action,
		&e.Target, &e.Decision, &e.Outcome, &e.Error, &e.Details, &e.PrevHash, &e.Hash)
	if err != nil {
		return dobot.AuditEntry{}, err
	}
	if e.Time, err = parseTime(at); err != nil {
		return dobot.AuditEntry{}, fmt.Errorf("row %d: %w", e.ID, err)
	}
	return e, nil
}
