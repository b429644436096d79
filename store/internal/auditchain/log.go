package auditchain

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dobot"
	"dobot/store/internal/sqldb"
)

// Audit query limits: a page by default, and a cap so one request cannot
// pull the whole log into memory (All streams for exports).
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// The append's statements, prepared once (see sqldb.Stmts).
const (
	selectHead = `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`
	insertRow  = `INSERT INTO audit (` + Columns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// Prepare returns q prepared once on the pool; Append runs it inside tx.
type Prepare func(ctx context.Context, q string) (*sql.Stmt, error)

// Append appends e, its Time and Instance already set, inside tx, which
// must hold the write lock: it lets a state change and its audit row commit
// together. Reading the chain's head and inserting happen in that one
// serialized transaction, so concurrent writers cannot fork the chain. It
// returns e as stored, with ID, PrevHash and Hash (under key) filled in.
func Append(ctx context.Context, tx *sqldb.Txn, prepare Prepare, key []byte, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	queryRow := func(q string) (*sql.Row, error) {
		s, err := prepare(ctx, q)
		if err != nil {
			return nil, err
		}
		return tx.Tx.StmtContext(ctx, s).QueryRowContext(ctx), nil
	}
	e.Time = sqldb.NormTime(e.Time)
	var lastID int64
	row, err := queryRow(selectHead)
	if err == nil {
		err = row.Scan(&lastID, &e.PrevHash)
	}
	if errors.Is(err, sql.ErrNoRows) {
		lastID, e.PrevHash = 0, ""
	} else if err != nil {
		return dobot.AuditEntry{}, fmt.Errorf("read previous hash: %w", err)
	}
	// The id is chosen here, not by AUTOINCREMENT at insert, because the
	// keyed hash covers it. Past the highest id ever used, so rows cut off
	// the end leave a gap that verify reports, rather than being reused.
	var seq int64
	row, err = queryRow(tx.D.AuditSequence)
	if err == nil {
		err = row.Scan(&seq)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return dobot.AuditEntry{}, fmt.Errorf("read audit sequence: %w", err)
	}
	e.ID = max(lastID, seq) + 1
	at := sqldb.FormatTime(e.Time)
	e.Hash = Hash(key, e.ID, at, e)
	s, err := prepare(ctx, insertRow)
	if err != nil {
		return dobot.AuditEntry{}, err
	}
	_, err = tx.Tx.StmtContext(ctx, s).ExecContext(ctx, e.ID, at, e.UserID, e.UserName, e.Channel, e.CommandText,
		e.Action, e.Target, e.Decision, e.Outcome, e.Error, e.Details, e.PrevHash, e.Hash, e.Instance)
	if err != nil {
		return dobot.AuditEntry{}, err
	}
	return e, nil
}

// Query returns the rows matching f, newest first. Filters are ANDed; Limit
// defaults to DefaultLimit and is capped at MaxLimit.
func Query(ctx context.Context, c sqldb.Conn, f dobot.AuditFilter) ([]dobot.AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	for _, w := range []struct{ col, v string }{{"user_id", f.UserID}, {"target", f.Target}, {"action", f.Action}} {
		if w.v != "" {
			where = append(where, w.col+" = ?")
			args = append(args, w.v)
		}
	}
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, sqldb.FormatTime(f.Since))
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	args = append(args, limit)

	q := `SELECT ` + Columns + ` FROM audit`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`

	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	entries := make([]dobot.AuditEntry, 0, min(limit, 64))
	for rows.Next() {
		e, err := Scan(rows)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, rows.Err()
}

// All calls fn for every row with Time at or after since (all rows when
// since is zero), oldest first, without holding them all in memory. It
// stops at the first error fn returns and returns it wrapped.
func All(ctx context.Context, c sqldb.Conn, since time.Time, fn func(dobot.AuditEntry) error) error {
	rows, err := c.QueryContext(ctx,
		`SELECT `+Columns+` FROM audit WHERE time >= ? ORDER BY id`, sqldb.FormatTime(since))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := Scan(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return fmt.Errorf("row %d: %w", e.ID, err)
		}
	}
	return rows.Err()
}

// Scan reads one row of Columns, its time parsed.
func Scan(s interface{ Scan(dest ...any) error }) (dobot.AuditEntry, error) {
	e, at, err := ScanRaw(s)
	if err != nil {
		return dobot.AuditEntry{}, err
	}
	if e.Time, err = sqldb.ParseTime(at); err != nil {
		return dobot.AuditEntry{}, fmt.Errorf("row %d: %w", e.ID, err)
	}
	return e, nil
}
