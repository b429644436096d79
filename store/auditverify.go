package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"dobot"
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
	opts := db.d.verifyTx
	opts.ReadOnly = true
	stx, err := db.sql.BeginTx(ctx, &opts)
	if err != nil {
		return rep, fmt.Errorf("verify audit: %w", err)
	}
	defer stx.Rollback()
	tx := &txn{stx, db.d}

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
		return rep, fmt.Errorf("verify audit: %w", err)
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
	if err := checkAuditTriggers(ctx, tx, db.d.migrations); err != nil {
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

// checkAuditTriggers compares the database's triggers with the ones the
// applied migrations in fsys created: each must exist with the same SQL and
// fire, and the audit table must have no others. On PostgreSQL the functions
// those triggers call must also have the source the migrations gave them.
// Only migrations the database lists count, so a database missing a newer
// migration still verifies; the first one, which made the audit table and
// its triggers, must be listed.
func checkAuditTriggers(ctx context.Context, tx *txn, fsys fs.FS) error {
	applied := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("verify audit: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("verify audit: read schema_migrations: %w", err)
		}
		applied[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify audit: read schema_migrations: %w", err)
	}
	const first = "0001_init.sql"
	if !applied[first] {
		return &AuditBreak{Reason: "schema_migrations does not list " + first + ", which created the audit table and its append-only triggers: it was edited"}
	}

	want := map[string]string{}  // trigger name → normalized SQL
	funcs := map[string]string{} // function name → normalized body
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("verify audit: list migrations: %w", err)
	}
	for _, name := range names { // fs.Glob sorts, as migrate does
		if !applied[name] {
			continue
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("verify audit: read migration %s: %w", name, err)
		}
		for _, m := range tx.d.triggerStatement.FindAllStringSubmatch(string(body), -1) {
			if m[1] != "" {
				want[strings.ToLower(m[2])] = normalizeSQL(m[1])
			} else {
				delete(want, strings.ToLower(m[3]))
			}
		}
		if tx.d.functionStatement != nil {
			for _, m := range tx.d.functionStatement.FindAllStringSubmatch(string(body), -1) {
				funcs[strings.ToLower(m[1])] = normalizeSQL(m[2])
			}
		}
	}

	have := map[string]string{}
	rows, err = tx.QueryContext(ctx, tx.d.triggers)
	if err != nil {
		return fmt.Errorf("verify audit: read triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name, table, text string
			enabled           bool
		)
		if err := rows.Scan(&name, &table, &text, &enabled); err != nil {
			return fmt.Errorf("verify audit: read triggers: %w", err)
		}
		name = strings.ToLower(name)
		if _, ok := want[name]; !ok && strings.EqualFold(table, "audit") {
			return &AuditBreak{Reason: fmt.Sprintf("trigger %s on the audit table was not created by any migration: it was added by hand", name)}
		}
		if !enabled {
			return &AuditBreak{Reason: fmt.Sprintf("trigger %s is disabled (it does not fire in ordinary sessions), so the database no longer refuses edits of audit rows", name)}
		}
		have[name] = normalizeSQL(schemaQualifier.ReplaceAllString(text, "ON "))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify audit: read triggers: %w", err)
	}
	for _, name := range sortedKeys(want) {
		got, ok := have[name]
		switch {
		case !ok:
			return &AuditBreak{Reason: fmt.Sprintf("trigger %s is missing: it was dropped, so the database no longer refuses edits of audit rows", name)}
		case got != want[name]:
			return &AuditBreak{Reason: fmt.Sprintf("trigger %s is not the one the migrations created: it was replaced", name)}
		}
	}
	return checkTriggerFunctions(ctx, tx, funcs)
}

// schemaQualifier is the schema PostgreSQL names before a trigger's table.
var schemaQualifier = regexp.MustCompile(`(?i)\bON\s+"?\w+"?\.`)

// checkTriggerFunctions checks that each function in want (PostgreSQL's
// trigger functions) still has the body the migrations gave it: replacing
// the body would silence a trigger without touching it.
func checkTriggerFunctions(ctx context.Context, tx *txn, want map[string]string) error {
	if tx.d.functions == "" || len(want) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, tx.d.functions)
	if err != nil {
		return fmt.Errorf("verify audit: read functions: %w", err)
	}
	defer rows.Close()
	have := map[string]string{}
	for rows.Next() {
		var name, src string
		if err := rows.Scan(&name, &src); err != nil {
			return fmt.Errorf("verify audit: read functions: %w", err)
		}
		have[strings.ToLower(name)] = normalizeSQL(src)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify audit: read functions: %w", err)
	}
	for _, name := range sortedKeys(want) {
		got, ok := have[name]
		switch {
		case !ok:
			return &AuditBreak{Reason: fmt.Sprintf("function %s, which the audit triggers call, is missing", name)}
		case got != want[name]:
			return &AuditBreak{Reason: fmt.Sprintf("function %s, which the audit triggers call, is not the one the migrations created: it was replaced", name)}
		}
	}
	return nil
}

// normalizeSQL makes two layouts of one statement compare equal: SQLite
// keeps a statement's text as written, and IF NOT EXISTS is dropped in case
// a version of it leaves that out.
func normalizeSQL(s string) string {
	f := strings.Fields(s)
	out := f[:0]
	for i := 0; i < len(f); i++ {
		if i+2 < len(f) && strings.EqualFold(f[i], "IF") && strings.EqualFold(f[i+1], "NOT") && strings.EqualFold(f[i+2], "EXISTS") {
			i += 2
			continue
		}
		out = append(out, f[i])
	}
	return strings.Join(out, " ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
