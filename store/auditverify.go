package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"dobot"
	"dobot/store/internal/sqldb"
)

// How the audit chain is keyed, and how databases from before the key
// upgrade (the one rule verify and Open share):
//
//   - Every row's hash is HMAC-SHA-256 under the audit key of its id, its
//     fields and the previous row's hash ("v2"). Without the key nobody can
//     compute a hash that verifies.
//   - Rows written before the chain was keyed carry a plain SHA-256 ("v1",
//     no id). They may only form the start of the chain: the first time a
//     keyed store opens such a database, it appends an "audit.keyed" row whose
//     keyed hash covers the last unkeyed row's hash, and with it the whole
//     unkeyed span. Verify still checks the unkeyed span and reports it.
//   - So verify fails on a plain-SHA row after a keyed one, and on a chain
//     whose unkeyed rows no keyed row follows: that is either a database no
//     keyed bot has opened yet, or one an attacker rehashed from the start.

// AuditCheckpoint is a row id and a prefix of its hash, as the audit channel
// shows every row it mirrors ("#1234 · 3f9a1c2b"). The channel is a copy
// of the chain outside the database, so a checkpoint catches rows cut off
// the end even when the sequence was lowered to hide it.
type AuditCheckpoint struct {
	ID         int64
	HashPrefix string
}

var checkpointPattern = regexp.MustCompile(`^#?([0-9]+)\s*(?::|·|\s)\s*([0-9a-fA-F]+)$`)

// ParseAuditCheckpoint reads a checkpoint written ID:HASH ("1234:3f9a1c2b"),
// also accepting the audit channel's own "#1234 · 3f9a1c2b". The hash
// prefix must have at least dobot.AuditRefHashLen hex digits.
func ParseAuditCheckpoint(s string) (AuditCheckpoint, error) {
	m := checkpointPattern.FindStringSubmatch(strings.TrimSpace(s))
	bad := fmt.Errorf("checkpoint %q: write it ID:HASH as the audit channel shows it, e.g. 1234:3f9a1c2b", s)
	if m == nil {
		return AuditCheckpoint{}, bad
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || id < 1 || len(m[2]) < dobot.AuditRefHashLen || len(m[2]) > sha256.Size*2 {
		return AuditCheckpoint{}, bad
	}
	return AuditCheckpoint{ID: id, HashPrefix: strings.ToLower(m[2])}, nil
}

// AuditReport describes a verified audit trail.
type AuditReport struct {
	Rows     int64  // rows checked
	Unkeyed  int64  // rows 1..Unkeyed carry plain SHA-256 hashes from before the key
	HeadID   int64  // the last row's id, 0 for an empty trail
	HeadHash string // the last row's hash
}

// AuditBreak is the first place where the audit trail is not intact.
type AuditBreak struct {
	Row    int64 // the first bad row, or 0 when the fault is not in a row (a trigger)
	Reason string
}

func (b *AuditBreak) Error() string {
	if b.Row == 0 {
		return b.Reason
	}
	return fmt.Sprintf("row %d: %s", b.Row, b.Reason)
}

// VerifyAudit checks the audit trail as VerifyAuditTrail does, without a
// checkpoint, and returns how many rows it checked.
func (db *DB) VerifyAudit(ctx context.Context) (checked int, err error) {
	rep, err := db.VerifyAuditTrail(ctx, nil)
	return int(rep.Rows), err
}

// VerifyAuditTrail checks, in one read snapshot: every row's keyed hash
// (unkeyed rows only at the start, anchored by a keyed row, as the comment
// above explains) and link to the row before; ids contiguous from 1; no ids
// handed out past the last row; the row named by head, when given, with a
// matching hash; and the append-only triggers, as the applied migrations
// created them. A fault is returned as *AuditBreak naming the first bad row;
// any other error means the check could not run.
func (db *DB) VerifyAuditTrail(ctx context.Context, head *AuditCheckpoint) (AuditReport, error) {
	var rep AuditReport
	if len(db.auditKey) == 0 {
		return rep, errors.New("verify audit: no audit key")
	}
	opts := db.d.VerifyTx
	opts.ReadOnly = true
	stx, err := db.sql.BeginTx(ctx, &opts)
	if err != nil {
		return rep, err
	}
	defer stx.Rollback()
	tx := &txn{Tx: stx, D: db.d}

	headHash, err := db.verifyRows(ctx, tx, head, &rep)
	if err != nil {
		return rep, err
	}
	if rep.Unkeyed > 0 && rep.Unkeyed == rep.HeadID {
		return rep, &AuditBreak{Row: 1, Reason: fmt.Sprintf(
			"rows 1–%d carry plain SHA-256 hashes that anyone can recompute, and no keyed row anchors them: "+
				"if no bot with an audit key has opened this database yet, start it once and verify again; otherwise the trail was rewritten",
			rep.HeadID)}
	}
	seq, err := auditSequence(ctx, tx, db.d)
	if err != nil {
		return rep, err
	}
	if seq > rep.HeadID {
		return rep, &AuditBreak{Row: rep.HeadID + 1, Reason: fmt.Sprintf(
			"missing: the database handed out ids up to %d but the trail ends at row %d (rows were cut off the end)", seq, rep.HeadID)}
	}
	if head != nil {
		switch {
		case head.ID > rep.HeadID:
			return rep, &AuditBreak{Row: rep.HeadID + 1, Reason: fmt.Sprintf(
				"missing: the checkpoint names row %d but the trail ends at row %d (rows were cut off the end)", head.ID, rep.HeadID)}
		case !strings.HasPrefix(headHash, head.HashPrefix):
			return rep, &AuditBreak{Row: head.ID, Reason: fmt.Sprintf(
				"its hash %.*s does not match the checkpoint's %s: the trail up to this row was rewritten", len(head.HashPrefix), headHash, head.HashPrefix)}
		case head.ID <= rep.Unkeyed:
			return rep, &AuditBreak{Row: head.ID, Reason: "it is unkeyed, but the audit channel only shows keyed rows: the trail was rewritten"}
		}
	}
	if err := sqldb.CheckTriggers(ctx, tx, db.d.Migrations); err != nil {
		var b *sqldb.Break
		if errors.As(err, &b) {
			return rep, &AuditBreak{Reason: b.Reason}
		}
		return rep, err
	}
	return rep, nil
}

// anchorAudit runs at Open. When the chain ends in an unkeyed row (a database
// from before the key), it appends a keyed audit.keyed row that anchors the
// unkeyed span. When the last row is neither keyed with this key nor
// unkeyed, it records that for the start-up log and changes nothing.
func (db *DB) anchorAudit(ctx context.Context) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		e, at, err := scanAuditRaw(tx.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY id DESC LIMIT 1`))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case keyedAuditHash(hmac.New(sha256.New, db.auditKey), e.ID, at, e) == e.Hash:
			return nil
		case e.Instance != "" || legacyAuditHash(at, e) != e.Hash:
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

// scanAuditRaw reads one row of auditColumns, keeping the stored time text
// the hash covers: verify must judge the bytes as stored, and an unreadable
// time is a fault in that row, not a reason to stop. e.Time is left zero:
// nothing that reads rows this way needs it, and parsing a million times
// would cost verify a tenth of its time.
func scanAuditRaw(s scanner) (dobot.AuditEntry, string, error) {
	var (
		e  dobot.AuditEntry
		at string
	)
	err := s.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Channel, &e.CommandText, &e.Action,
		&e.Target, &e.Decision, &e.Outcome, &e.Error, &e.Details, &e.PrevHash, &e.Hash, &e.Instance)
	if err != nil {
		return dobot.AuditEntry{}, "", err
	}
	return e, at, nil
}
