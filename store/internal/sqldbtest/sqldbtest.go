// Package sqldbtest opens a migrated SQLite database for the tests of the
// store's internal packages, which cannot open a store.DB. Only tests
// import it.
package sqldbtest

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"dobot/store/internal/sqldb"
)

// Open returns a migrated SQLite database in a temporary directory, closed
// when the test ends, with write transactions run one at a time as the
// store runs them.
func Open(t testing.TB) (sqldb.Conn, sqldb.WriteTx) {
	t.Helper()
	pool, err := sql.Open("sqlite", sqldb.DSN(filepath.Join(t.TempDir(), "dobot.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	c := sqldb.Conn{DB: pool, D: sqldb.SQLite}
	var mu sync.Mutex
	writeTx := func(ctx context.Context, fn func(tx *sqldb.Txn) error) error {
		mu.Lock()
		defer mu.Unlock()
		stx, err := c.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(&sqldb.Txn{Tx: stx, D: c.D}); err != nil {
			stx.Rollback()
			return err
		}
		return stx.Commit()
	}
	if _, err := sqldb.Migrate(context.Background(), c.D, c.D.Migrations, writeTx, time.Now); err != nil {
		t.Fatal(err)
	}
	return c, writeTx
}
