package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"dobot/store/internal/sqldb"
)

// IsPostgres reports whether target names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgres(target string) bool { return sqldb.IsPostgres(target) }

// RedactURL returns target fit to print: a database URL with its password
// replaced by xxxxx, and a file path as it is.
func RedactURL(target string) string { return sqldb.RedactURL(target) }

var redactErr = sqldb.RedactErr

// openPostgres opens the PostgreSQL database at target and applies any
// migrations it has not seen yet, under the write lock (dialect.lockWrites),
// so replicas starting together apply each once.
func openPostgres(ctx context.Context, target string, o options) (*DB, error) {
	where := RedactURL(target)
	if o.auditKey == nil {
		return nil, fmt.Errorf("open store %s: PostgreSQL needs BOT_AUDIT_KEY, since no key file can sit beside a database server; every replica must share it", where)
	}
	if err := CheckAuditKey(o.auditKey); err != nil {
		return nil, fmt.Errorf("open store %s: BOT_AUDIT_KEY: %w", where, err)
	}
	target, err := withStallLimit(target)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	pool, err := sqldb.OpenPostgres(ctx, target, 8)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", where, redactErr(target, err))
	}
	db := &DB{Now: time.Now, sql: conn{DB: pool, D: postgresDialect}, d: postgresDialect,
		auditKey: o.auditKey, instance: o.instance}
	if _, err := db.migrate(ctx, db.d.Migrations); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", where, redactErr(target, err))
	}
	if err := db.anchorAudit(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", where, redactErr(target, err))
	}
	return db, nil
}

// stallLimit is how long PostgreSQL lets a session sit idle inside a
// transaction before ending it. Every write holds the one write lock (an
// advisory transaction lock), so a replica frozen mid-transaction (paused,
// swapped out, cut off) would otherwise stop every other replica's writes
// until its TCP connection died, minutes later. The bot's transactions
// never wait on anything but the database, so ten seconds idle means the
// replica stalled; ending its session frees the lock well within a lease
// (30 s by default), and the stalled replica finds its write failed.
const stallLimit = "10s"

// withStallLimit sets idle_in_transaction_session_timeout on target to
// stallLimit, unless the URL already sets it.
func withStallLimit(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", errors.New("the database URL does not parse")
	}
	if u.Query().Has("idle_in_transaction_session_timeout") {
		return target, nil
	}
	return sqldb.WithParam(target, "idle_in_transaction_session_timeout", stallLimit)
}

// openPostgresReadOnly opens target with every transaction read-only, so
// verify and export cannot change what they inspect.
func openPostgresReadOnly(ctx context.Context, target string, key []byte) (*DB, error) {
	where := RedactURL(target)
	ro, err := sqldb.WithParam(target, "default_transaction_read_only", "on")
	if err != nil {
		return nil, fmt.Errorf("open store %s read-only: %w", where, err)
	}
	pool, err := sqldb.OpenPostgres(ctx, ro, 2)
	if err != nil {
		return nil, fmt.Errorf("open store %s read-only: %w", where, redactErr(target, err))
	}
	return &DB{Now: time.Now, sql: conn{DB: pool, D: postgresDialect}, d: postgresDialect, auditKey: key}, nil
}
