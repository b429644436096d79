// Package sqldb is the one place where the store's SQL differs between
// SQLite and PostgreSQL: each dialect's statements and checks, the pool and
// transaction that rewrite placeholders, and the stored time format. Only
// the store and its own packages import it.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"dobot/migrations"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything the store's SQL does differently on SQLite and on
// PostgreSQL. The queries themselves are written once, with ? placeholders
// and syntax both accept (ON CONFLICT, RETURNING, SAVEPOINT); only what is
// here differs.
type Dialect struct {
	Name string // "sqlite" or "postgres", for messages
	// numbered rewrites ? placeholders to $1, $2, … (PostgreSQL).
	Numbered bool
	// migrations are this dialect's schema files, by the same names in both.
	Migrations fs.FS
	// schemaMigrations creates the table that records applied migrations.
	SchemaMigrations string
	// lockWrites runs first in every write transaction ("" for none). SQLite
	// takes its one write lock at BEGIN (_txlock=immediate); PostgreSQL
	// takes a transaction-scoped advisory lock, so writes from every process
	// on the database are serialised as they are on SQLite. This is what
	// keeps the audit chain one chain, migrations applied once, and the
	// read-then-write steps (Transition, the last admin) atomic.
	LockWrites string
	// auditSequence reads the highest audit id ever inserted.
	AuditSequence string
	// verifyTx opens verify's read-only snapshot.
	VerifyTx sql.TxOptions
	// triggers lists the database's triggers: name, table, definition, and
	// whether they fire.
	Triggers string
	// triggerStatement finds CREATE TRIGGER and DROP TRIGGER statements in
	// this dialect's migrations: group 1 the definition, 2 its name, 3 the
	// name a DROP names.
	TriggerStatement *regexp.Regexp
	// functions lists the source of the database's functions by name, and
	// functionStatement finds their definitions in the migrations (group 1
	// the name, 2 the body). Only PostgreSQL triggers call functions.
	Functions         string
	FunctionStatement *regexp.Regexp
	// uniqueViolation reports whether err is a unique constraint failure.
	UniqueViolation func(error) bool
	// tables lists the database's tables (Copy skips schema_migrations,
	// audit_sequence and home_changes itself).
	Tables string
	// raiseAuditSequence sets the highest audit id ever handed out to at
	// least its argument, after Copy inserted the rows.
	RaiseAuditSequence string
	// afterCopy, when set, runs after Copy inserted rows with their ids.
	AfterCopy func(ctx context.Context, tx *Txn) error
}

// SQLite is the embedded default.
var SQLite = &Dialect{
	Name:       "sqlite",
	Migrations: migrations.FS,
	SchemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`,
	// AUTOINCREMENT keeps the highest id ever handed out in sqlite_sequence.
	AuditSequence:      `SELECT seq FROM sqlite_sequence WHERE name = 'audit'`,
	Triggers:           `SELECT name, tbl_name, coalesce(sql, ''), 1 FROM sqlite_master WHERE type = 'trigger'`,
	TriggerStatement:   regexp.MustCompile(`(?ims)^[ \t]*(?:(CREATE[ \t]+TRIGGER[ \t]+(?:IF[ \t]+NOT[ \t]+EXISTS[ \t]+)?"?(\w+)"?.*?^[ \t]*END)[ \t]*;|DROP[ \t]+TRIGGER[ \t]+(?:IF[ \t]+EXISTS[ \t]+)?"?(\w+)"?)`),
	Tables:             `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`,
	RaiseAuditSequence: `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'audit'`,
	UniqueViolation: func(err error) bool {
		var serr *sqlite.Error
		return errors.As(err, &serr) && serr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	},
}

// Postgres is PostgreSQL 14 or later.
var Postgres = &Dialect{
	Name:       "postgres",
	Numbered:   true,
	Migrations: migrations.Postgres,
	SchemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT COLLATE "C" PRIMARY KEY,
		applied_at TEXT COLLATE "C" NOT NULL
	)`,
	// Two keys: a constant for dobot, and the schema, so that databases in
	// different schemas of one server (the tests) do not wait on each other.
	LockWrites:    `SELECT pg_advisory_xact_lock(1685021300, hashtext(current_schema()))`,
	AuditSequence: `SELECT coalesce(max(seq), 0) FROM audit_sequence`,
	// Repeatable read: every query of verify sees the same committed state.
	VerifyTx: sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	// Triggers of this schema's tables, printed by the server; verify strips
	// the schema name from the table so the text matches the migration's.
	// A trigger fires in ordinary sessions only when enabled as O (origin)
	// or A (always): D is disabled, and R fires only for replication.
	Triggers: `SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid), t.tgenabled IN ('O', 'A')
		FROM pg_trigger t
		JOIN pg_class c ON c.oid = t.tgrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT t.tgisinternal AND n.nspname = current_schema()`,
	TriggerStatement: regexp.MustCompile(`(?ims)^[ \t]*(?:(CREATE[ \t]+TRIGGER[ \t]+"?(\w+)"?[^;]*?\))[ \t]*;|DROP[ \t]+TRIGGER[ \t]+(?:IF[ \t]+EXISTS[ \t]+)?"?(\w+)"?)`),
	Functions: `SELECT p.proname, p.prosrc FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = current_schema()`,
	FunctionStatement: regexp.MustCompile(`(?is)CREATE[ \t]+(?:OR[ \t]+REPLACE[ \t]+)?FUNCTION[ \t]+"?(\w+)"?\(\)[^$]*?AS[ \t]+\$\$(.*?)\$\$`),
	UniqueViolation: func(err error) bool {
		var perr *pgconn.PgError
		return errors.As(err, &perr) && perr.Code == "23505"
	},
	Tables:             `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
	RaiseAuditSequence: `UPDATE audit_sequence SET seq = GREATEST(seq, ?)`,
	AfterCopy:          restartIdentities,
}

// restartIdentities moves every identity column's sequence past the ids
// Copy inserted, so the next row gets a new id; SQLite's AUTOINCREMENT
// does this by itself.
func restartIdentities(ctx context.Context, tx *Txn) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return err
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cols {
		_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max(`+QuoteIdent(c[1])+`), 0) + 1, false) FROM `+QuoteIdent(c[0]),
			QuoteIdent(c[0]), c[1])
		if err != nil {
			return fmt.Errorf("restart identity %s.%s: %w", c[0], c[1], err)
		}
	}
	return nil
}

// Rebind rewrites q's ? placeholders for the dialect. Quoted text and
// comments are left alone, though the store's queries carry none with ?.
func (d *Dialect) Rebind(q string) string {
	if !d.Numbered || !strings.Contains(q, "?") {
		return q
	}
	var (
		b     strings.Builder
		n     int
		quote byte
	)
	b.Grow(len(q) + 16)
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Conn is the pool with the dialect's placeholders: every query the store
// runs outside a write transaction goes through it.
type Conn struct {
	*sql.DB
	D *Dialect
}

func (c Conn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.DB.ExecContext(ctx, c.D.Rebind(q), args...)
}

func (c Conn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.DB.QueryContext(ctx, c.D.Rebind(q), args...)
}

func (c Conn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.DB.QueryRowContext(ctx, c.D.Rebind(q), args...)
}

func (c Conn) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return c.DB.PrepareContext(ctx, c.D.Rebind(q))
}

// Query, QueryRow and Exec shadow the pool's own, so that no way of running
// a statement on it skips rebinding.
func (c Conn) Query(q string, args ...any) (*sql.Rows, error) {
	return c.QueryContext(context.Background(), q, args...)
}

func (c Conn) QueryRow(q string, args ...any) *sql.Row {
	return c.QueryRowContext(context.Background(), q, args...)
}

func (c Conn) Exec(q string, args ...any) (sql.Result, error) {
	return c.ExecContext(context.Background(), q, args...)
}

// Txn is a transaction with the dialect's placeholders.
type Txn struct {
	*sql.Tx
	D *Dialect
}

func (t *Txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.D.Rebind(q), args...)
}

func (t *Txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.D.Rebind(q), args...)
}

func (t *Txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.D.Rebind(q), args...)
}

func (t *Txn) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.D.Rebind(q))
}

// Attempt runs fn inside a savepoint and rolls back to it when fn fails, so
// the transaction stays usable after a statement that may fail on purpose
// (a unique index deciding who holds a lock). PostgreSQL aborts the whole
// transaction on a failed statement; SQLite does not, but takes the same path.
func (t *Txn) Attempt(ctx context.Context, fn func() error) error {
	if _, err := t.Tx.ExecContext(ctx, `SAVEPOINT attempt`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := t.Tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT attempt`); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := t.Tx.ExecContext(ctx, `RELEASE SAVEPOINT attempt`)
	return err
}

// UserTables lists the tables that hold the bot's data, sorted: every
// table but the migration record and the dialect's own bookkeeping.
func UserTables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, d *Dialect) ([]string, error) {
	rows, err := q.QueryContext(ctx, d.Tables)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		// home_changes counts this database's own writes: a copy starts
		// its own count.
		if name != "schema_migrations" && name != "audit_sequence" && name != "home_changes" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, rows.Err()
}

// QuoteIdent quotes a table or column name the way both dialects read it.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
