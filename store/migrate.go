package store

import (
	"context"
	"io/fs"

	"dobot/store/internal/sqldb"
)

// migrate applies the migrations in fsys the database has not seen yet,
// each once, under the write lock (see sqldb.Migrate).
func (db *DB) migrate(ctx context.Context, fsys fs.FS) ([]string, error) {
	return sqldb.Migrate(ctx, db.d, fsys, db.writeTx, db.now)
}
