package auditchain

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"dobot"
	"dobot/store/internal/sqldb"
)

// Checkpoint is a row id and a prefix of its hash, as the audit channel
// shows every row it mirrors ("#1234 · 3f9a1c2b"). The channel is a copy
// of the chain outside the database, so a checkpoint catches rows cut off
// the end even when the sequence was lowered to hide it.
type Checkpoint struct {
	ID         int64
	HashPrefix string
}

var checkpointPattern = regexp.MustCompile(`^#?([0-9]+)\s*(?::|·|\s)\s*([0-9a-fA-F]+)$`)

// ParseCheckpoint reads a checkpoint written ID:HASH ("1234:3f9a1c2b"),
// also accepting the audit channel's own "#1234 · 3f9a1c2b". The hash
// prefix must have at least dobot.AuditRefHashLen hex digits.
func ParseCheckpoint(s string) (Checkpoint, error) {
	m := checkpointPattern.FindStringSubmatch(strings.TrimSpace(s))
	bad := fmt.Errorf("checkpoint %q: write it ID:HASH as the audit channel shows it, e.g. 1234:3f9a1c2b", s)
	if m == nil {
		return Checkpoint{}, bad
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || id < 1 || len(m[2]) < dobot.AuditRefHashLen || len(m[2]) > sha256.Size*2 {
		return Checkpoint{}, bad
	}
	return Checkpoint{ID: id, HashPrefix: strings.ToLower(m[2])}, nil
}

// Report describes a verified audit trail.
type Report struct {
	Rows     int64  // rows checked
	Unkeyed  int64  // rows 1..Unkeyed carry plain SHA-256 hashes from before the key
	HeadID   int64  // the last row's id, 0 for an empty trail
	HeadHash string // the last row's hash
}

// Break is the first place where the audit trail is not intact.
type Break struct {
	Row    int64 // the first bad row, or 0 when the fault is not in a row (a trigger)
	Reason string
}

func (b *Break) Error() string {
	if b.Row == 0 {
		return b.Reason
	}
	return fmt.Sprintf("row %d: %s", b.Row, b.Reason)
}

// Verify checks, in one read snapshot of c: every row's keyed hash under
// key (unkeyed rows only at the start, anchored by a keyed row, as the
// package comment explains) and link to the row before; ids contiguous
// from 1; no ids handed out past the last row; the row named by head, when
// given, with a matching hash; and the append-only triggers, as the
// applied migrations created them. A fault is returned as *Break naming
// the first bad row; any other error means the check could not run.
func Verify(ctx context.Context, c sqldb.Conn, key []byte, head *Checkpoint) (Report, error) {
	var rep Report
	if len(key) == 0 {
		return rep, errors.New("verify audit: no audit key")
	}
	opts := c.D.VerifyTx
	opts.ReadOnly = true
	stx, err := c.BeginTx(ctx, &opts)
	if err != nil {
		return rep, err
	}
	defer stx.Rollback()
	tx := &sqldb.Txn{Tx: stx, D: c.D}

	headHash, err := walk(ctx, tx, key, head, &rep)
	if err != nil {
		return rep, err
	}
	if rep.Unkeyed > 0 && rep.Unkeyed == rep.HeadID {
		return rep, &Break{Row: 1, Reason: fmt.Sprintf(
			"rows 1–%d carry plain SHA-256 hashes that anyone can recompute, and no keyed row anchors them: "+
				"if no bot with an audit key has opened this database yet, start it once and verify again; otherwise the trail was rewritten",
			rep.HeadID)}
	}
	seq, err := sqldb.AuditSequence(ctx, tx, c.D)
	if err != nil {
		return rep, err
	}
	if seq > rep.HeadID {
		return rep, &Break{Row: rep.HeadID + 1, Reason: fmt.Sprintf(
			"missing: the database handed out ids up to %d but the trail ends at row %d (rows were cut off the end)", seq, rep.HeadID)}
	}
	if brk := checkHead(head, headHash, rep); brk != nil {
		return rep, brk
	}
	if err := sqldb.CheckTriggers(ctx, tx, c.D.Migrations); err != nil {
		var b *sqldb.Break
		if errors.As(err, &b) {
			return rep, &Break{Reason: b.Reason}
		}
		return rep, err
	}
	return rep, nil
}

// checkHead holds the trail rep describes to the checkpoint head, whose
// row's hash is headHash; nil when there is no checkpoint or it matches.
func checkHead(head *Checkpoint, headHash string, rep Report) *Break {
	switch {
	case head == nil:
		return nil
	case head.ID > rep.HeadID:
		return &Break{Row: rep.HeadID + 1, Reason: fmt.Sprintf(
			"missing: the checkpoint names row %d but the trail ends at row %d (rows were cut off the end)", head.ID, rep.HeadID)}
	case !strings.HasPrefix(headHash, head.HashPrefix):
		return &Break{Row: head.ID, Reason: fmt.Sprintf(
			"its hash %.*s does not match the checkpoint's %s: the trail up to this row was rewritten", len(head.HashPrefix), headHash, head.HashPrefix)}
	case head.ID <= rep.Unkeyed:
		return &Break{Row: head.ID, Reason: "it is unkeyed, but the audit channel only shows keyed rows: the trail was rewritten"}
	}
	return nil
}
