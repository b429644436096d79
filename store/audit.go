package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
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
	target, decision, outcome, error, details, prev_hash, hash, instance`

// AppendAudit appends e to the audit log and returns it as stored, with ID,
// Time (from the store clock when zero), PrevHash, Hash and Instance (this
// process's, from WithInstance, when empty) filled in. Any ID, PrevHash or
// Hash in e is ignored.
//
// When ctx carries an envelope (WithEnvelope) not yet claimed, the same
// transaction records its handled key and response_url, or the append
// fails with dobot.ErrAlreadyHandled and writes nothing.
func (db *DB) AppendAudit(ctx context.Context, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	env := envelopeOf(ctx)
	if env != nil {
		env.mu.Lock()
		defer env.mu.Unlock()
		if env.claimed {
			env = nil
		}
	}
	var stored dobot.AuditEntry
	err := db.writeTx(ctx, func(tx *txn) error {
		if env != nil {
			if err := db.claimTx(ctx, tx, env); err != nil {
				return err
			}
		}
		var err error
		stored, err = db.appendAuditTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return dobot.AuditEntry{}, fmt.Errorf("append audit %s %s: %w", e.Action, e.Target, err)
	}
	if env != nil {
		env.claimed = true
	}
	return stored, nil
}

// The audit append's statements, prepared once (see stmtCache).
const (
	selectAuditHead = `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`
	insertAudit     = `INSERT INTO audit (` + auditColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// appendAuditTx appends e inside tx, which must be a write transaction from
// writeTx: it lets a state change and its audit row commit together. Reading
// the chain's head and inserting happen in that one serialized transaction,
// so concurrent writers cannot fork the chain.
func (db *DB) appendAuditTx(ctx context.Context, tx *txn, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	e.Time = normTime(e.Time)
	if e.Instance == "" {
		e.Instance = db.instance
	}
	var lastID int64
	row, err := db.queryRowPreparedTx(ctx, tx, selectAuditHead)
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
	row, err = db.queryRowPreparedTx(ctx, tx, db.d.AuditSequence)
	if err == nil {
		err = row.Scan(&seq)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return dobot.AuditEntry{}, fmt.Errorf("read audit sequence: %w", err)
	}
	e.ID = max(lastID, seq) + 1
	e.Hash = keyedAuditHash(hmac.New(sha256.New, db.auditKey), e.ID, formatTime(e.Time), e)
	_, err = db.execPrepared(ctx, tx, insertAudit,
		e.ID, formatTime(e.Time), e.UserID, e.UserName, e.Channel, e.CommandText, e.Action,
		e.Target, e.Decision, e.Outcome, e.Error, e.Details, e.PrevHash, e.Hash, e.Instance)
	if err != nil {
		return dobot.AuditEntry{}, err
	}
	return e, nil
}

// auditSequence is the highest audit id ever inserted, 0 for none: SQLite's
// sqlite_sequence, or the audit_sequence row a PostgreSQL trigger keeps.
func auditSequence(ctx context.Context, q queryer, d *dialect) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, d.AuditSequence).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read audit sequence: %w", err)
	}
	return seq, nil
}

// keyedAuditHash is the hex HMAC-SHA-256, under the audit key in mac, of the
// row's id, its stored time text and every other field except Hash, the
// previous row's hash included. Each field goes in with its length first,
// so no two sets of values encode alike; the leading version keeps the
// encodings apart. A row with an Instance is hashed as "dobot audit v3",
// which covers it; a row without one as "dobot audit v2", the encoding from
// before instances were recorded, so chains written then still verify.
// Verify accepts v2 only for rows whose instance is empty, so an instance
// cannot be added to or changed on a v2 row unnoticed.
func keyedAuditHash(mac hash.Hash, id int64, at string, e dobot.AuditEntry) string {
	buf := appendAuditFields(make([]byte, 0, 512), id, at, e)
	mac.Reset()
	mac.Write(buf)
	return hex.EncodeToString(mac.Sum(buf[:0]))
}

// appendAuditFields appends to buf what keyedAuditHash hashes: the version,
// the id, the time text and the fields, each led by its length.
func appendAuditFields(buf []byte, id int64, at string, e dobot.AuditEntry) []byte {
	version := "dobot audit v2"
	if e.Instance != "" {
		version = "dobot audit v3"
	}
	var num [20]byte
	buf = appendAuditField(buf, version)
	buf = appendAuditField(buf, strconv.AppendInt(num[:0], id, 10))
	for _, f := range [...]string{at, e.UserID, e.UserName, e.Channel, e.CommandText, e.Action,
		e.Target, e.Decision, e.Outcome, e.Error, e.Details, e.PrevHash} {
		buf = appendAuditField(buf, f)
	}
	if e.Instance != "" {
		buf = appendAuditField(buf, e.Instance)
	}
	return buf
}

func appendAuditField[T string | []byte](buf []byte, f T) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(f)))
	return append(buf, f...)
}

// legacyAuditHash is the plain SHA-256 that chained the rows written before
// the chain was keyed: the fields as a JSON array of strings led by "v1", no
// id. Anyone can compute it, which is why verify accepts it only at the
// start of the chain (see the rule in auditverify.go).
func legacyAuditHash(at string, e dobot.AuditEntry) string {
	fields := []string{"v1", at,
		e.UserID, e.UserName, e.Channel, e.CommandText, e.Action,
		e.Target, e.Decision, e.Outcome, e.Error, e.Details,
		e.PrevHash}
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

// scanAudit reads one row of auditColumns.
func scanAudit(s scanner) (dobot.AuditEntry, error) {
	var (
		e  dobot.AuditEntry
		at string
	)
	err := s.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Channel, &e.CommandText, &e.Action,
		&e.Target, &e.Decision, &e.Outcome, &e.Error, &e.Details, &e.PrevHash, &e.Hash, &e.Instance)
	if err != nil {
		return dobot.AuditEntry{}, err
	}
	if e.Time, err = parseTime(at); err != nil {
		return dobot.AuditEntry{}, fmt.Errorf("row %d: %w", e.ID, err)
	}
	return e, nil
}
