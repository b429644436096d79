// Package storetest opens a real SQLite store for a test: a fresh file in
// the test's temporary folder, closed when the test ends.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"dobot/store"
)

// Open returns a store on a new SQLite file, migrated, closed at cleanup.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
