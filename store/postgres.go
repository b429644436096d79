package store

import (
	"context"
	"database/sql"
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
	sqldb, err := openPool(ctx, target, 8)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", where, redactErr(target, err))
	}
	db := &DB{Now: time.Now, sql: conn{DB: sqldb, D: postgresDialect}, d: postgresDialect,
		auditKey: o.auditKey, instance: o.instance}
	if _, err := db.migrate(ctx, db.d.Migrations); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open store %s: %w", where, redactErr(target, err))
	}
	if err := db.anchorAudit(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open store %s: %w", where, redactErr(target, err))
	}
	return db, nil
}

// openPostgresReadOnly opens target with every transaction read-only, so
// verify and export cannot change what they inspect.
func openPostgresReadOnly(ctx context.Context, target string, key []byte) (*DB, error) {
	where := RedactURL(target)
	ro, err := withParam(target, "default_transaction_read_only", "on")
	if err != nil {
		return nil, fmt.Errorf("open store %s read-only: %w", where, err)
	}
	sqldb, err := openPool(ctx, ro, 2)
	if err != nil {
		return nil, fmt.Errorf("open store %s read-only: %w", where, redactErr(target, err))
	}
	return &DB{Now: time.Now, sql: conn{DB: sqldb, D: postgresDialect}, d: postgresDialect, auditKey: key}, nil
}

// openPool opens a pgx pool through database/sql and checks that the server
// answers and is PostgreSQL 14 or later.
func openPool(ctx context.Context, target string, conns int) (*sql.DB, error) {
	sqldb, err := sql.Open("pgx", target)
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(conns)
	sqldb.SetMaxIdleConns(conns)
	var version int
	err = sqldb.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version)
	if err == nil && version < 140000 {
		err = fmt.Errorf("PostgreSQL %d.%d is too old: dobot needs 14 or later", version/10000, version%10000)
	}
	if err != nil {
		sqldb.Close()
		return nil, err
	}
	return sqldb, nil
}

// withParam returns the URL target with the query parameter name set to
// value; pgx passes unknown parameters to the server as settings.
func withParam(target, name, value string) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", errors.New("the database URL does not parse")
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
