package store

import (
	"context"
	"fmt"
	"time"

	"dobot"
	"dobot/store/internal/auditchain"
)

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

// appendAuditTx appends e inside tx, which must be a write transaction from
// writeTx, so that a state change and its audit row commit together (see
// auditchain.Append).
func (db *DB) appendAuditTx(ctx context.Context, tx *txn, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	if e.Instance == "" {
		e.Instance = db.instance
	}
	return auditchain.Append(ctx, tx, db.prepared, db.auditKey, e)
}

// Audit returns the rows matching f, newest first. Filters are ANDed; Limit
// defaults to 50 and is capped at 1000.
func (db *DB) Audit(ctx context.Context, f dobot.AuditFilter) ([]dobot.AuditEntry, error) {
	if err := db.flushJournal(ctx); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	entries, err := auditchain.Query(ctx, db.sql, f)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return entries, nil
}

// AuditAll calls fn for every row with Time at or after since (all rows when
// since is zero), oldest first, without holding them all in memory. It stops
// at the first error fn returns and returns it wrapped.
func (db *DB) AuditAll(ctx context.Context, since time.Time, fn func(dobot.AuditEntry) error) error {
	if err := db.flushJournal(ctx); err != nil {
		return fmt.Errorf("audit all: %w", err)
	}
	if err := auditchain.All(ctx, db.sql, since, fn); err != nil {
		return fmt.Errorf("audit all: %w", err)
	}
	return nil
}

// AuditCount returns the number of audit rows.
func (db *DB) AuditCount(ctx context.Context) (int, error) {
	if err := db.flushJournal(ctx); err != nil {
		return 0, fmt.Errorf("audit count: %w", err)
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM audit`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit count: %w", err)
	}
	return n, nil
}
