// Package store keeps the bot's durable state in one SQLite file: roles,
// managed apps, operations, policies, handled-event keys and the hash-chained
// audit log. It is the only package that writes SQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dobot/migrations"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the bot's store. It is safe for concurrent use: reads run in parallel
// on WAL snapshots, writes are serialized.
type DB struct {
	// Now is the clock behind every timestamp the store writes. Tests set it;
	// it defaults to time.Now.
	Now func() time.Time

	sql *sql.DB

	// writeMu serializes write transactions. SQLite allows one writer anyway;
	// queueing here instead of on busy_timeout keeps order fair and makes
	// read-then-write steps (the audit chain, Transition) atomic in-process.
	writeMu sync.Mutex

	// marks counts MarkHandled calls so old keys are pruned now and then.
	marks atomic.Int64
}

// dsn builds the connection string. The pragmas live in it, not in a one-off
// Exec, because database/sql opens connections lazily and each one needs them.
// _txlock=immediate makes every write transaction take the write lock at
// BEGIN, so another process writing the file cannot make it fail midway.
func dsn(path string) string {
	// The "file:" form passes the name to SQLite as a URI, in which these
	// characters mean something; escape them so any path opens as itself.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc +
		"?_pragma=busy_timeout(5000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_txlock=immediate"
}

// Open opens (creating if needed) the SQLite file at path and applies any
// migrations it has not seen yet.
func Open(ctx context.Context, path string) (*DB, error) {
	sqldb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// The pure-Go driver pays per connection; a small pool is plenty for a
	// bot and bounds memory.
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)

	db := &DB{Now: time.Now, sql: sqldb}
	if _, err := db.migrate(ctx, migrations.FS); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database. Call it last, after running work has drained.
func (db *DB) Close() error {
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// writeTx runs fn in a write transaction, one at a time, and commits it when
// fn returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()

	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// now returns the store clock's time in UTC, without a monotonic reading.
func (db *DB) now() time.Time {
	clock := db.Now
	if clock == nil {
		clock = time.Now
	}
	return clock().UTC().Round(0)
}

// Ping checks that the database file answers a query, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.sql.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}
