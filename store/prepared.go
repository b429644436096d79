package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache holds the statements of the hot paths (every command's handled
// key, audit row, role and app reads), each prepared once on the pool.
// database/sql then keeps one prepared copy per connection and reuses it,
// so SQLite does not parse and plan the same text on every call: before
// this, sqlite3_prepare_v2 was about a sixth of the bot's CPU under
// steady load. Only fixed statement texts belong here; a text built from
// values would grow the cache without bound.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// prepared returns q prepared on the pool, preparing it the first time.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[q]; ok {
		return s, nil
	}
	s, err := db.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[q] = s
	return s, nil
}

// closeStmts closes every cached statement; Close calls it before closing
// the pool.
func (c *stmtCache) closeStmts() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, s := range c.m {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.m, q)
	}
	return first
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

// queryRowPreparedTx runs the cached statement q inside tx.
func (db *DB) queryRowPreparedTx(ctx context.Context, tx *txn, q string, args ...any) (*sql.Row, error) {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.Tx.StmtContext(ctx, s).QueryRowContext(ctx, args...), nil
}
