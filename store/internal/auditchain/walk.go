package auditchain

import (
	"context"
	"fmt"
	"sync/atomic"

	"dobot"
	"dobot/store/internal/sqldb"
)

// Batch is how many rows the reader hands the hasher at a time.
const Batch = 512

// row is one audit row as verify reads it: the stored time text is what
// the hash covers.
type row struct {
	e  dobot.AuditEntry
	at string
}

// walk reads the rows in id order, filling rep, and returns the hash of
// the row head names ("" without one).
//
// It is read-only and streams: one goroutine reads rows and checks that the
// ids run on and that each row names the one before's hash; a second
// checks each row's own hash (the keyed HMAC, or for the unkeyed start, the
// plain SHA-256), in the same order, batch by batch. On two cores that
// halves the time of a long trail. Whichever finds a fault first by row
// wins, as if one loop had checked row after row.
func walk(ctx context.Context, tx *sqldb.Txn, key []byte, head *Checkpoint, rep *Report) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+Columns+` FROM audit ORDER BY id`)
	if err != nil {
		return "", fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()

	h := &chainHasher{hasher: NewHasher(key)}
	batches := make(chan []row, 4)
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		for b := range batches {
			h.check(b)
		}
	}()

	var (
		headHash string
		readErr  error // a fault (*Break) or a read error, at row rep.HeadID+1
		batch    = make([]row, 0, Batch)
	)
	for !h.stop.Load() && rows.Next() {
		e, at, err := ScanRaw(rows)
		switch {
		case err != nil:
			readErr = fmt.Errorf("verify audit: after row %d: %w", rep.HeadID, err)
		case e.ID != rep.HeadID+1:
			readErr = &Break{Row: rep.HeadID + 1, Reason: fmt.Sprintf(
				"missing: the trail goes from row %d to row %d (rows were removed)", rep.HeadID, e.ID)}
		case e.PrevHash != rep.HeadHash:
			readErr = &Break{Row: e.ID, Reason: fmt.Sprintf(
				"its previous-row hash %.12s is not row %d's hash %.12s (a row before it was changed or removed)", e.PrevHash, rep.HeadID, rep.HeadHash)}
		}
		if readErr != nil {
			break
		}
		if head != nil && e.ID == head.ID {
			headHash = e.Hash
		}
		rep.HeadID, rep.HeadHash = e.ID, e.Hash
		rep.Rows++
		batch = append(batch, row{e, at})
		if len(batch) == Batch {
			batches <- batch
			batch = make([]row, 0, Batch)
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	<-hashed
	rep.Unkeyed = h.unkeyed
	// Every row before a read fault was hashed, so a hash fault found is
	// the earlier one.
	if h.brk != nil {
		return "", h.brk
	}
	if readErr != nil {
		return "", readErr
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("verify audit: %w", err)
	}
	return headHash, nil
}

// chainHasher checks rows' own hashes in order, keeping the rule of the
// unkeyed start (see the package comment).
type chainHasher struct {
	hasher  *Hasher
	keyed   bool // a keyed row was seen
	unkeyed int64
	brk     *Break
	stop    atomic.Bool // a fault was found: the reader may stop
}

func (c *chainHasher) check(rows []row) {
	for i := range rows {
		if c.brk != nil {
			return
		}
		e, at := &rows[i].e, rows[i].at
		switch {
		case c.hasher.Matches(e.ID, at, e):
			c.keyed = true
		case !Unkeyed(at, *e):
			c.brk = &Break{Row: e.ID, Reason: fmt.Sprintf(
				"its hash %.12s does not match its contents: the row was changed, or the audit key is not the one that wrote it", e.Hash)}
		case c.keyed:
			c.brk = &Break{Row: e.ID, Reason: "it carries a plain SHA-256 hash after keyed rows; anyone can compute that, so the row was forged or rewritten"}
		default:
			c.unkeyed = e.ID
		}
		if c.brk != nil {
			c.stop.Store(true)
		}
	}
}
