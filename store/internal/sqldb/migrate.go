package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

// WriteTx runs fn in a write transaction holding the dialect's write lock.
type WriteTx func(ctx context.Context, fn func(tx *Txn) error) error

// Migrate applies every *.sql file in fsys (the dialect's migrations) that
// schema_migrations does not list yet, in filename order, each in its own
// transaction (from writeTx) together with the row that records it, dated
// by now. It returns the names it applied. Each transaction holds the
// write lock, so processes starting together on one database apply each
// migration once.
func Migrate(ctx context.Context, d *Dialect, fsys fs.FS, writeTx WriteTx, now func() time.Time) ([]string, error) {
	err := writeTx(ctx, func(tx *Txn) error {
		_, err := tx.ExecContext(ctx, d.SchemaMigrations)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}

	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrate: list: %w", err)
	}
	sort.Strings(names)

	var applied []string
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return applied, fmt.Errorf("migrate: read %s: %w", name, err)
		}
		did, err := applyMigration(ctx, writeTx, name, string(body), now())
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
		if did {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

// applyMigration runs one migration unless it is already recorded. The check
// happens inside the write transaction, so two processes opening the same
// database cannot both apply it.
func applyMigration(ctx context.Context, writeTx WriteTx, name, body string, now time.Time) (bool, error) {
	did := false
	err := writeTx(ctx, func(tx *Txn) error {
		var seen string
		err := tx.QueryRowContext(ctx,
			`SELECT name FROM schema_migrations WHERE name = ?`, name).Scan(&seen)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if strings.TrimSpace(body) != "" {
			// Not rebound: a migration has no parameters, and PostgreSQL
			// function bodies may hold a literal ?.
			if _, err := tx.Tx.ExecContext(ctx, body); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
			name, FormatTime(now)); err != nil {
			return err
		}
		did = true
		return nil
	})
	return did, err
}
