package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"dobot"
	"dobot/store/internal/responseurl"
)

// envelope is a Slack envelope (a command or a click) whose handled key and
// response_url are recorded together with the first audit row written
// while handling it: see WithEnvelope.
type envelope struct {
	key, responseURL, userID, channelID string

	// mu is held across the first append, so two appends under one
	// envelope cannot both claim it; claimed is set once that append has
	// committed.
	mu      sync.Mutex
	claimed bool

	// firstDelivery is set by WithNewEnvelope (see JournalAudit).
	firstDelivery bool
}

type envelopeCtxKey struct{}

// WithEnvelope returns ctx carrying a Slack envelope's de-duplication key
// (an envelope id, a command's trigger id, a click's id) and its
// response_url with the user and channel it answers. The first AppendAudit
// under the returned context records the key, and the response_url as
// RecordResponseURL would, in the same write transaction as its audit row;
// when the key was recorded before (Slack redelivered the envelope, maybe
// to another replica), it appends nothing and fails with
// dobot.ErrAlreadyHandled. So a command is audited, and recorded as
// handled, in one commit or not at all: a crash before that commit leaves
// nothing, and the redelivery runs the command; a crash after it leaves
// both, and the redelivery is skipped. The command runs only after that
// commit (a command that cannot be audited does not run), so it runs once.
// Later appends under the context write their rows alone.
func WithEnvelope(ctx context.Context, key, responseURL, userID, channelID string) context.Context {
	return context.WithValue(ctx, envelopeCtxKey{}, &envelope{key: key, responseURL: responseURL, userID: userID, channelID: channelID})
}

// envelopeOf returns the envelope ctx carries, or nil.
func envelopeOf(ctx context.Context) *envelope {
	e, _ := ctx.Value(envelopeCtxKey{}).(*envelope)
	return e
}

// The hot statements of a claim, prepared once (see stmtCache).
const (
	insertHandled     = `INSERT INTO handled (key, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING`
	insertResponseURL = responseurl.Insert
)

// claimTx records env's key, and its response_url, inside tx, and fails
// with dobot.ErrAlreadyHandled when the key is already there.
func (db *DB) claimTx(ctx context.Context, tx *txn, env *envelope) error {
	var urlHash string
	if env.responseURL != "" {
		urlHash = responseurl.Hash(env.responseURL)
	}
	first, err := db.claimKeyTx(ctx, tx, env.key, urlHash, env.userID, env.channelID, db.now())
	if err != nil {
		return err
	}
	if !first {
		return fmt.Errorf("envelope %q: %w", env.key, dobot.ErrAlreadyHandled)
	}
	return nil
}

// claimKeyTx records key as handled at now, and the response_url hashed
// as urlHash ("" for none), inside tx, unless the key is already there:
// then it writes nothing and returns false. Every pruneEveryMarks claims
// it also drops old handled keys and response_urls.
func (db *DB) claimKeyTx(ctx context.Context, tx *txn, key, urlHash, userID, channelID string, now time.Time) (first bool, err error) {
	at := formatTime(now)
	res, err := db.execPrepared(ctx, tx, insertHandled, key, at)
	if err != nil {
		return false, fmt.Errorf("mark handled %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark handled %q: %w", key, err)
	}
	if n != 1 {
		return false, nil
	}
	if urlHash != "" {
		if _, err := db.execPrepared(ctx, tx, insertResponseURL, urlHash, userID, channelID, at); err != nil {
			return false, fmt.Errorf("record response_url: %w", err)
		}
	}
	if db.marks.Add(1)%pruneEveryMarks == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM handled WHERE seen_at < ?`, formatTime(now.Add(-handledTTL))); err != nil {
			return false, fmt.Errorf("prune handled keys: %w", err)
		}
		if err := responseurl.Prune(ctx, tx, now); err != nil {
			return false, fmt.Errorf("prune response_urls: %w", err)
		}
	}
	return true, nil
}
