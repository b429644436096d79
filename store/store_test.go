package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"dobot/internal/testclock"
	"dobot/migrations"
)

// testClock is a settable clock for DB.Now, safe for concurrent tests.
type testClock = testclock.Clock

// t0 is the tests' epoch; the odd nanoseconds check nothing is rounded off.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// openTest opens a fresh store in a temp dir with a test clock at t0.
func openTest(t testing.TB) (*DB, *testClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	clock := testclock.New(t0)
	db.Now = clock.Now
	return db, clock, path
}

// openTwice opens two stores on one new SQLite file, as the lock file
// lets one process do; the caller closes them.
func openTwice(t *testing.T) (a, b *DB, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "dobot.db")
	var err error
	if a, err = Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	if b, err = Open(context.Background(), path); err != nil {
		a.Close()
		t.Fatal(err)
	}
	return a, b, path
}

// rawOpen opens path with the plain driver, bypassing the store, the way
// someone with shell access to the file would.
func rawOpen(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("raw open %q: %v", path, err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func appliedMigrations(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.sql.Query(`SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMigrationsAppliedOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, path := be.open(t)

		files, err := fs.Glob(db.d.Migrations, "*.sql")
		if err != nil || len(files) == 0 {
			t.Fatalf("fs.Glob(migrations) = %v, %v; want some files", files, err)
		}
		if got := appliedMigrations(t, db); !slices.Equal(got, files) {
			t.Fatalf("schema_migrations after Open = %v; want %v", got, files)
		}

		// A second Open of the same database applies nothing (it would fail
		// on CREATE TABLE if it tried).
		db2 := be.reopen(t, path)
		if got, err := db2.migrate(ctx, db.d.Migrations); err != nil || len(got) != 0 {
			t.Fatalf("migrate again = %v, %v; want nothing applied", got, err)
		}

		// A new file is applied, exactly once, after the existing ones.
		next := fstest.MapFS{"9999_test.sql": {Data: []byte(`CREATE TABLE later (x INTEGER);`)}}
		for _, f := range files {
			b, err := fs.ReadFile(db.d.Migrations, f)
			if err != nil {
				t.Fatal(err)
			}
			next[f] = &fstest.MapFile{Data: b}
		}
		if got, err := db2.migrate(ctx, next); err != nil || !slices.Equal(got, []string{"9999_test.sql"}) {
			t.Fatalf("migrate with new file = %v, %v; want [9999_test.sql]", got, err)
		}
		if got, err := db2.migrate(ctx, next); err != nil || len(got) != 0 {
			t.Fatalf("migrate with new file again = %v, %v; want nothing applied", got, err)
		}
	})
}

// TestMigrationsOnceWhenStartedTogether opens one empty database from
// several stores at once, as replicas starting together do: each migration
// is applied once and every Open succeeds.
func TestMigrationsOnceWhenStartedTogether(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		target := be.fresh(t)
		const n = 4
		dbs := make([]*DB, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), target, be.opts...) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Open %d of %d at once = %v", i, n, errs[i])
			}
			defer dbs[i].Close()
		}
		files, _ := fs.Glob(dbs[0].d.Migrations, "*.sql")
		if got := appliedMigrations(t, dbs[0]); !slices.Equal(got, files) {
			t.Errorf("schema_migrations = %v; want each of %v once", got, files)
		}
	})
}

// TestMigrationsMatchAcrossDialects holds the two sets of migrations to the
// same names, as migrations/embed.go promises.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, _ := fs.Glob(migrations.FS, "*.sql")
	pg, _ := fs.Glob(migrations.Postgres, "*.sql")
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Errorf("SQLite migrations %v and PostgreSQL migrations %v differ: add each schema change to both", lite, pg)
	}
}

func TestFailedMigrationRollsBack(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		bad := fstest.MapFS{"9998_bad.sql": {Data: []byte(`CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;`)}}
		if _, err := db.migrate(ctx, bad); err == nil {
			t.Fatal("migrate(bad) = nil; want error")
		}
		var n int
		if err := db.sql.QueryRow(`SELECT count(*) FROM half`).Scan(&n); err == nil {
			t.Errorf("table from failed migration exists; want it rolled back")
		}
		if slices.Contains(appliedMigrations(t, db), "9998_bad.sql") {
			t.Errorf("failed migration recorded as applied")
		}
	})
}

func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTest(t)

	// Hold two connections at once so the pool cannot hand back the same one.
	var conns []*sql.Conn
	for range 2 {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	}
	for i, c := range conns {
		for _, tt := range tests {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("conn %d: PRAGMA %s = %q; want %q", i, tt.pragma, got, tt.want)
			}
		}
	}
}

func TestOpenOddPath(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a?b#c%20d.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	defer db.Close()
	if _, err := db.MarkHandled(ctx, "k"); err != nil {
		t.Fatalf("MarkHandled = %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not at %q: %v", path, err)
	}
}
