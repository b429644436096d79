package store

import (
	"context"
	"database/sql"
)

// prepared returns q prepared on the pool, once (see sqldb.Stmts).
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	return db.stmts.Get(ctx, db.sql, q)
}

// queryRowPrepared runs the cached statement q on the pool.
func (db *DB) queryRowPrepared(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryRowContext(ctx, args...), nil
}

// queryPrepared runs the cached statement q on the pool.
func (db *DB) queryPrepared(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// execPrepared runs the cached statement q inside tx, on tx's connection
// (database/sql reuses the copy prepared there, or prepares one).
func (db *DB) execPrepared(ctx context.Context, tx *txn, q string, args ...any) (sql.Result, error) {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.Tx.StmtContext(ctx, s).ExecContext(ctx, args...)
}
