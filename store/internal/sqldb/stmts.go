package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Stmts holds the statements of the store's hot paths (every command's
// handled key, audit row, role and app reads), each prepared once on the
// pool. database/sql then keeps one prepared copy per connection and
// reuses it, so SQLite does not parse and plan the same text on every
// call: before, sqlite3_prepare_v2 was about a sixth of the bot's CPU under
// steady load. Only fixed statement texts belong here; a text built from
// values would grow the cache without bound.
type Stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// Get returns q prepared on c (placeholders rewritten for its dialect),
// preparing it the first time.
func (s *Stmts) Get(ctx context.Context, c Conn, q string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[q]; ok {
		return st, nil
	}
	st, err := c.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.m == nil {
		s.m = map[string]*sql.Stmt{}
	}
	s.m[q] = st
	return st, nil
}

// Close closes every statement; close the pool after it.
func (s *Stmts) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for q, st := range s.m {
		errs = append(errs, st.Close())
		delete(s.m, q)
	}
	return errors.Join(errs...)
}
