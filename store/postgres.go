package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// IsPostgres reports whether target names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgres(target string) bool {
	lower := strings.ToLower(target)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// RedactURL returns target fit to print: a database URL with its password
// replaced by xxxxx, and a file path as it is. A URL that does not parse is
// not printed at all, since where its password sits is unknown.
func RedactURL(target string) string {
	if !IsPostgres(target) {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "postgres://(unparseable URL)"
	}
	// A password may also come as a query parameter.
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// passwordOf returns the password in a database URL, "" for none.
func passwordOf(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	if p, ok := u.User.Password(); ok {
		return p
	}
	return u.Query().Get("password")
}

// redactedError keeps a password out of an error's text while keeping the
// error's chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr wraps err so that its text never holds target's password, in
// case a driver quotes the connection string.
func redactErr(target string, err error) error {
	if err == nil {
		return nil
	}
	pw := passwordOf(target)
	msg := err.Error()
	if pw == "" || !strings.Contains(msg, pw) {
		return err
	}
	msg = strings.ReplaceAll(msg, pw, "xxxxx")
	if esc := url.QueryEscape(pw); esc != pw {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	return &redactedError{msg: msg, err: err}
}

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
	db := &DB{Now: time.Now, sql: conn{sqldb, postgresDialect}, d: postgresDialect,
		auditKey: o.auditKey, instance: o.instance}
	if _, err := db.migrate(ctx, db.d.migrations); err != nil {
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
	return &DB{Now: time.Now, sql: conn{sqldb, postgresDialect}, d: postgresDialect, auditKey: key}, nil
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
