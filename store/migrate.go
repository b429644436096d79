package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// migrate applies every *.sql file in fsys (the dialect's migrations) that
// schema_migrations does not list yet, in filename order, each in its own
// transaction together with the row that records it. It returns the names it
// applied. Each transaction holds the write lock (writeTx), so processes
// starting together on one database apply each migration once.
func (db *DB) migrate(ctx context.Context, fsys fs.FS) ([]string, error) {
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, db.d.schemaMigrations)
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
		did, err := db.applyMigration(ctx, name, string(body))
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
func (db *DB) applyMigration(ctx context.Context, name, body string) (bool, error) {
	did := false
	err := db.writeTx(ctx, func(tx *txn) error {
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
			name, formatTime(db.now())); err != nil {
			return err
		}
		did = true
		return nil
	})
	return did, err
}
