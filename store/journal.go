package store

import (
	"context"
	"errors"
	"fmt"

	"dobot"
	"dobot/store/internal/auditjournal"
	"dobot/store/internal/responseurl"
)

// A read-only command's "started" row is what stands between its envelope
// and its answer. Committing it to SQLite takes a write transaction (some
// ten pages into the WAL); appending it to the audit journal takes one
// write(2), and is as durable against a crash of the process. So on
// SQLite, where this process is the only writer (the lock file), such rows
// go to the journal and reach the audit table in batches: with the next
// write transaction, within auditjournal.Linger, and before anything
// reads the trail.

// AuditJournalPath is the audit journal's file beside the SQLite database
// at dbPath.
func AuditJournalPath(dbPath string) string { return auditjournal.Path(dbPath) }

// WithNewEnvelope is WithEnvelope for an envelope Slack delivers for the
// first time (its retry_attempt is 0): no earlier delivery can have
// claimed it, so JournalAudit may record its claim in the journal instead
// of checking it against the database first. Slack marks every
// redelivery, and a redelivery goes through WithEnvelope.
func WithNewEnvelope(ctx context.Context, key, responseURL, userID, channelID string) context.Context {
	env := &envelope{key: key, responseURL: responseURL, userID: userID, channelID: channelID, firstDelivery: true}
	return context.WithValue(ctx, envelopeCtxKey{}, env)
}

// JournalAudit is AppendAudit for the "started" row of a command that
// changes nothing. When the store has a journal (SQLite) and ctx carries a
// new envelope not yet claimed (WithNewEnvelope), the row and the claim
// are appended to the audit journal: on return they survive a crash of
// the process, and they are committed to the audit table, with the row's
// id and hashes, by the next write transaction, within the journal's
// linger, or before the trail is next read. Otherwise it appends as
// AppendAudit does. A key already journaled fails with
// dobot.ErrAlreadyHandled.
func (db *DB) JournalAudit(ctx context.Context, e dobot.AuditEntry) error {
	env := envelopeOf(ctx)
	if db.journal == nil || env == nil || !env.firstDelivery {
		_, err := db.AppendAudit(ctx, e)
		return err
	}
	env.mu.Lock()
	if env.claimed {
		env.mu.Unlock()
		_, err := db.AppendAudit(ctx, e) // a later row under the envelope
		return err
	}
	err := db.journal.Add(db.journalRecord(env, e))
	if err == nil {
		env.claimed = true
	}
	env.mu.Unlock()
	switch {
	case errors.Is(err, auditjournal.ErrDuplicate):
		return fmt.Errorf("journal audit %s %s: %w: %w", e.Action, e.Target, err, dobot.ErrAlreadyHandled)
	case err != nil:
		// A journal that cannot be written (a full disk, say) must not
		// stop the command: the database claims and stores the row.
		_, err = db.AppendAudit(ctx, e)
		return err
	}
	return nil
}

// journalRecord is e, with its time and instance filled in, and env's
// claim, as the journal keeps them.
func (db *DB) journalRecord(env *envelope, e dobot.AuditEntry) auditjournal.Record {
	now := db.now()
	if e.Time.IsZero() {
		e.Time = now
	}
	if e.Instance == "" {
		e.Instance = db.instance
	}
	rec := auditjournal.Record{Key: env.key, UserID: env.userID, ChannelID: env.channelID, SeenAt: now, Entry: e}
	if env.responseURL != "" {
		rec.ResponseURLHash = responseurl.Hash(env.responseURL)
	}
	return rec
}

// drainJournalTx appends the journaled rows, with their envelope claims,
// inside tx (a write transaction), and returns how many it took. A row
// whose key the database already holds is skipped: its envelope was
// handled before, so its command has its row.
func (db *DB) drainJournalTx(ctx context.Context, tx *txn) (int, error) {
	if db.journal == nil {
		return 0, nil
	}
	recs := db.journal.Waiting()
	for _, rec := range recs {
		first, err := db.claimKeyTx(ctx, tx, rec.Key, rec.ResponseURLHash, rec.UserID, rec.ChannelID, rec.SeenAt)
		if err != nil {
			return 0, fmt.Errorf("commit journaled audit rows: %w", err)
		}
		if !first {
			continue
		}
		if _, err := db.appendAuditTx(ctx, tx, rec.Entry); err != nil {
			return 0, fmt.Errorf("commit journaled audit rows: %w", err)
		}
	}
	return len(recs), nil
}

// flushJournal commits every journaled row now. Whatever reads the audit
// trail or the handled keys calls it first, so what it reads is whole.
func (db *DB) flushJournal(ctx context.Context) error {
	if db.journal == nil || db.journal.Pending() == 0 {
		return nil
	}
	return db.write(ctx, func(*txn) error { return nil }, false)
}

// openJournal opens the journal beside the SQLite file at path, commits
// the rows a crash left in it, and starts its committer.
func (db *DB) openJournal(ctx context.Context, path string) error {
	j, err := auditjournal.OpenJournal(auditjournal.Path(path))
	if err != nil {
		return err
	}
	db.journal = j
	if err := db.flushJournal(ctx); err != nil {
		db.journal = nil
		return errors.Join(err, j.Close())
	}
	db.detachJournal = j.Attach(func() error { return db.flushJournal(context.Background()) })
	return nil
}

// closeJournal stops the committer, commits what is pending, and closes
// the file (removing it when empty).
func (db *DB) closeJournal() error {
	if db.journal == nil {
		return nil
	}
	db.detachJournal()
	// db.journal stays set: a write still running in the background
	// reads it, and a closed journal refuses rows (JournalAudit then
	// falls back to the closed database, which says so).
	return errors.Join(db.flushJournal(context.Background()), db.journal.Close())
}
