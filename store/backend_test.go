package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"dobot/internal/pgtest"
	"dobot/internal/testclock"
)

// The PostgreSQL side of the conformance suite runs on the server pgtest
// names, each test in a fresh schema of its own; without a server those
// cases skip, or fail under DOBOT_REQUIRE_POSTGRES=1.

// testAuditKey keys the PostgreSQL stores, which have no key file.
var testAuditKey = []byte("dobot-test-audit-key-0123456789abcdef")

// backend is one kind of database the conformance suite runs on.
type backend struct {
	name string
	// fresh returns the target of a new, empty database for t: a file path
	// or a URL. Open it with the backend's opts.
	fresh func(t testing.TB) string
	opts  []Option
}

var backends = []backend{
	{name: "sqlite", fresh: func(t testing.TB) string {
		return filepath.Join(t.TempDir(), "dobot.db")
	}},
	{name: "postgres", fresh: freshPostgres, opts: []Option{WithAuditKey(testAuditKey)}},
}

// forEachBackend runs fn as a subtest on each backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, be backend)) {
	t.Helper()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { fn(t, be) })
	}
}

// open opens a fresh store on the backend with a test clock at t0, closed
// when the test ends, and returns it with its target.
func (be backend) open(t testing.TB) (*DB, *testClock, string) {
	t.Helper()
	target := be.fresh(t)
	db := be.reopen(t, target)
	clock := testclock.New(t0)
	db.Now = clock.Now
	return db, clock, target
}

// reopen opens target (from fresh) again, as a restarted bot would.
func (be backend) reopen(t testing.TB, target string) *DB {
	t.Helper()
	db, err := Open(context.Background(), target, be.opts...)
	if err != nil {
		t.Fatalf("Open(%s) = %v", RedactURL(target), err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return db
}

// freshPostgres is a new schema for t on the test server (see pgtest).
func freshPostgres(t testing.TB) string { return pgtest.Fresh(t) }

// rawTarget opens target with the plain driver, bypassing the store, the way
// someone with access to the database would.
func rawTarget(t *testing.T, target string) *sql.DB {
	t.Helper()
	if !IsPostgres(target) {
		return rawOpen(t, target)
	}
	raw, err := sql.Open("pgx", target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
