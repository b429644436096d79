package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"dobot"
	"dobot/store/internal/auditchain"
)

// The audit chain's rules and its verification live in auditchain; these
// are its types under the store's names.
type (
	// AuditCheckpoint is a row id and a prefix of its hash, as the audit
	// channel shows every row it mirrors ("#1234 · 3f9a1c2b").
	AuditCheckpoint = auditchain.Checkpoint
	// AuditReport describes a verified audit trail.
	AuditReport = auditchain.Report
	// AuditBreak is the first place where the audit trail is not intact.
	AuditBreak = auditchain.Break
)

// ParseAuditCheckpoint reads a checkpoint written ID:HASH ("1234:3f9a1c2b"),
// also accepting the audit channel's own "#1234 · 3f9a1c2b".
func ParseAuditCheckpoint(s string) (AuditCheckpoint, error) { return auditchain.ParseCheckpoint(s) }

// VerifyAudit checks the audit trail as VerifyAuditTrail does, without a
// checkpoint, and returns how many rows it checked.
func (db *DB) VerifyAudit(ctx context.Context) (checked int, err error) {
	rep, err := db.VerifyAuditTrail(ctx, nil)
	return int(rep.Rows), err
}

// VerifyAuditTrail checks the whole trail in one read snapshot, under the
// store's audit key, against head when given (see auditchain.Verify). A
// fault is returned as *AuditBreak naming the first bad row; any other
// error means the check could not run.
func (db *DB) VerifyAuditTrail(ctx context.Context, head *AuditCheckpoint) (AuditReport, error) {
	if err := db.flushJournal(ctx); err != nil {
		return AuditReport{}, err
	}
	return auditchain.Verify(ctx, db.sql, db.auditKey, head)
}

// anchorAudit runs at Open. When the chain ends in an unkeyed row (a database
// from before the key), it appends a keyed audit.keyed row that anchors the
// unkeyed span. When the last row is neither keyed with this key nor
// unkeyed, it records that for the start-up log and changes nothing.
func (db *DB) anchorAudit(ctx context.Context) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		e, at, err := auditchain.ScanRaw(tx.QueryRowContext(ctx, `SELECT `+auditchain.Columns+` FROM audit ORDER BY id DESC LIMIT 1`))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case auditchain.Hash(db.auditKey, e.ID, at, e) == e.Hash:
			return nil
		case !auditchain.Unkeyed(at, e):
			db.keyInfo.ForeignHead = e.ID
			return nil
		}
		_, err = db.appendAuditTx(ctx, tx, dobot.AuditEntry{
			Action:  "audit.keyed",
			Outcome: "ok",
			Details: fmt.Sprintf("rows up to %d carry plain SHA-256 hashes from before the audit chain was keyed; this row anchors them, and every row from here on is keyed", e.ID),
		})
		if err == nil {
			db.keyInfo.Anchored = e.ID
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("anchor audit chain: %w", err)
	}
	return nil
}
