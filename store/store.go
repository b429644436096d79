// Package store keeps the bot's durable state, in one SQLite file or in a
// PostgreSQL database: roles, managed apps, operations, policies,
// handled-event keys and the hash-chained audit log. It is the only package
// that writes SQL; what differs between the two is in internal/sqldb.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"dobot/store/internal/auditjournal"
	"dobot/store/internal/auditkey"
	"dobot/store/internal/sqldb"
)

// DB is the bot's store. It is safe for concurrent use: reads run in parallel
// (on WAL snapshots in SQLite), writes are serialized.
type DB struct {
	// Now is the clock behind every timestamp the store writes. Tests set it;
	// it defaults to time.Now.
	Now func() time.Time

	sql conn
	d   *dialect

	// release gives up what Open holds besides the pool: the SQLite lock
	// file. Nil when there is nothing.
	release func() error

	// writeMu serializes write transactions. The database allows one writer
	// at a time anyway (dialect.lockWrites); queueing here instead of in the
	// database keeps order fair and makes read-then-write steps (the audit
	// chain, Transition) atomic in-process.
	writeMu sync.Mutex

	// marks counts MarkHandled calls and envelope claims so old keys are
	// pruned now and then.
	marks atomic.Int64

	// stmts are the hot paths' prepared statements.
	stmts sqldb.Stmts

	// ckpt checkpoints a SQLite WAL off the commands' path; nil on
	// PostgreSQL and read-only stores.
	ckpt *sqldb.Checkpointer

	// reads answers hot reads from memory until the next commit. Only a
	// SQLite store opened by Open has one: its lock file keeps every writer
	// in this process. Nil on PostgreSQL (replicas write too) and read-only
	// stores (a running bot writes).
	reads *readCache

	// auditKey keys the audit chain's HMAC. It lives only in memory: it
	// comes from BOT_AUDIT_KEY or the key file, never from the database.
	auditKey []byte
	keyInfo  AuditKeyInfo

	// instance names this process (BOT_INSTANCE) in the audit rows it writes.
	instance string

	// journal holds read-only commands' audit rows until they commit
	// (JournalAudit); nil on PostgreSQL and read-only stores.
	journal       *auditjournal.Journal
	detachJournal func() // from the journal's committer

	closeOnce sync.Once
}

// AuditKeyInfo says where the audit key came from and what Open did to the
// chain, for the start-up log. It never holds the key.
type AuditKeyInfo struct {
	// File is the key file used, or "" when the key was given (BOT_AUDIT_KEY).
	File string
	// Created is true when Open generated the key file just now.
	Created bool
	// Anchored is the number of unkeyed rows a new keyed row anchored at this
	// start (rows written before the chain was keyed), or 0.
	Anchored int64
	// ForeignHead is the id of the chain's last row when it is neither keyed
	// with this key nor an unkeyed row: the key is not the one that wrote the
	// trail, or the row was changed. New rows still chain onto it; verify
	// will name it.
	ForeignHead int64
}

// Option changes how Open opens the store.
type Option func(*options)

type options struct {
	auditKey []byte
	instance string
}

// WithAuditKey keys the audit chain with key (BOT_AUDIT_KEY) instead of the
// key file beside the database. Replicas sharing a database must share it.
func WithAuditKey(key []byte) Option {
	return func(o *options) { o.auditKey = key }
}

// WithInstance names the process (BOT_INSTANCE) in every audit row it
// appends, so the trail says which replica acted.
func WithInstance(id string) Option {
	return func(o *options) { o.instance = id }
}

// Open opens the store named by target and applies any migrations it has not
// seen yet. target is a postgres:// or postgresql:// URL (see IsPostgres) or
// else the path of a SQLite file, created if needed. On SQLite the audit
// chain is keyed with the key given by WithAuditKey or else with the one in
// AuditKeyPath(path), which Open generates the first time; PostgreSQL needs
// WithAuditKey. Errors name the target with its password, if any, replaced
// by xxxxx.
func Open(ctx context.Context, target string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if IsPostgres(target) {
		return openPostgres(ctx, target, o)
	}
	return openSQLite(ctx, target, o)
}

// sqliteOpenMu serializes opening SQLite files within the process; other
// processes are kept off the file by its lock file.
var sqliteOpenMu sync.Mutex

func openSQLite(ctx context.Context, path string, o options) (*DB, error) {
	release, err := lockFile(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	reads, dropReads, err := openReadCache(path)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open store %s: %w", path, err), release())
	}
	// Stores opening in one process take turns: switching a new file to WAL
	// can answer SQLITE_BUSY at once, without waiting on busy_timeout.
	sqliteOpenMu.Lock()
	db, err := openSQLiteLocked(ctx, path, reads, o)
	sqliteOpenMu.Unlock()
	if err != nil {
		dropReads()
		return nil, errors.Join(err, release())
	}
	db.release = func() error {
		dropReads()
		return release()
	}
	return db, nil
}

// openSQLiteLocked opens path once openSQLite holds its lock file. reads is
// the file's read cache, shared with any other store on it in this process;
// the store has it before migrating, so migrations drop what others cached.
func openSQLiteLocked(ctx context.Context, path string, reads *readCache, o options) (*DB, error) {
	if err := sqldb.CreatePrivate(path); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := &DB{Now: time.Now, auditKey: o.auditKey, d: sqliteDialect, instance: o.instance, reads: reads}
	if o.auditKey == nil {
		file := AuditKeyPath(path)
		key, created, err := auditkey.LoadOrCreate(file)
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		db.auditKey, db.keyInfo = key, AuditKeyInfo{File: file, Created: created}
	} else if err := CheckAuditKey(o.auditKey); err != nil {
		return nil, fmt.Errorf("open store %s: BOT_AUDIT_KEY: %w", path, err)
	}

	pool, err := sql.Open("sqlite", sqldb.DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// The pure-Go driver pays per connection; a small pool is plenty for a
	// bot and bounds memory.
	pool.SetMaxOpenConns(8)
	pool.SetMaxIdleConns(8)
	db.sql = conn{DB: pool, D: db.d}

	if _, err := db.migrate(ctx, db.d.Migrations); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := sqldb.MatchSidecarModes(path); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.anchorAudit(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.openJournal(ctx, path); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.ckpt = sqldb.StartCheckpointer(db.sql)
	return db, nil
}

// OpenReadOnly opens the store named by target (a SQLite path or a
// PostgreSQL URL, as for Open) to read and verify it, keyed with key (nil to
// only read, as an export does). It applies no migrations and writes
// nothing; on PostgreSQL every transaction is read-only, and a SQLite file
// may be one the process cannot write or one a running bot holds. When no -wal file exists no process has the
// database open, so it is opened immutable: SQLite would otherwise create
// -wal and -shm files beside it and leave them behind. (A bot starting while
// the file is read that way writes to its own -wal; only a checkpoint into
// the main file during the read could disturb it, and verify would then
// report an error that a second run clears.)
func OpenReadOnly(ctx context.Context, target string, key []byte) (*DB, error) {
	if key != nil {
		if err := CheckAuditKey(key); err != nil {
			return nil, fmt.Errorf("open store %s read-only: %w", RedactURL(target), err)
		}
	}
	if IsPostgres(target) {
		return openPostgresReadOnly(ctx, target, key)
	}
	path := target
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open store read-only: %w", err)
	}
	pool, err := sql.Open("sqlite", sqldb.ReadOnlyDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s read-only: %w", path, err)
	}
	pool.SetMaxOpenConns(2)
	db := &DB{Now: time.Now, sql: conn{DB: pool, D: sqliteDialect}, d: sqliteDialect, auditKey: key}
	if err := db.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s read-only: %w", path, err)
	}
	return db, nil
}

// AuditKeyInfo says where the audit key came from and what Open did to the
// audit chain.
func (db *DB) AuditKeyInfo() AuditKeyInfo { return db.keyInfo }

// Close closes the database. Call it last, after running work has drained;
// a write that comes later fails with an error, and a second Close returns
// nil.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		jerr := db.closeJournal()
		// db.ckpt stays set: write reads it without a lock, and a
		// stopped checkpointer only counts commits.
		db.ckpt.Close()
		err = errors.Join(jerr, db.stmts.Close(), db.sql.Close())
		if db.release != nil {
			err = errors.Join(err, db.release())
		}
	})
	if err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// writeTx runs fn in a write transaction, one at a time, and commits it when
// fn returns nil. A commit drops the cached reads before writeTx returns.
func (db *DB) writeTx(ctx context.Context, fn func(tx *txn) error) error {
	return db.write(ctx, fn, true)
}

// write is writeTx. Journaled audit rows commit first, in the same
// transaction, so the trail keeps the order the rows were written in.
// changes is false only for a commit of journaled rows alone, which
// changes nothing any other read returns.
func (db *DB) write(ctx context.Context, fn func(tx *txn) error, changes bool) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()

	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &txn{Tx: stx, D: db.d}
	rollback := func(err error) error {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if db.d.LockWrites != "" {
		if _, err := tx.ExecContext(ctx, db.d.LockWrites); err != nil {
			return rollback(fmt.Errorf("take the write lock: %w", err))
		}
	}
	journaled, err := db.drainJournalTx(ctx, tx)
	if err != nil {
		return rollback(err)
	}
	if err := fn(tx); err != nil {
		return rollback(err)
	}
	err = tx.Commit()
	if changes {
		// Even a failed commit may have changed the file, so the cache
		// goes either way.
		db.reads.invalidate()
	}
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if journaled > 0 {
		db.journal.Committed(journaled)
	}
	db.ckpt.Committed()
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

// Ping checks that the database answers a query, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.sql.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}
