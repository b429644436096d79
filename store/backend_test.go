package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The PostgreSQL side of the conformance suite runs against the server in
// DOBOT_TEST_POSTGRES (default: the CI server below), each test in a fresh
// schema of its own. With no server the PostgreSQL cases skip and say why,
// unless DOBOT_REQUIRE_POSTGRES=1 (CI), which makes them fail instead.
const defaultTestPostgres = "postgres://postgres@127.0.0.1:5432/test"

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
	clock := &testClock{t: t0}
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

var postgresProbe struct {
	once sync.Once
	url  string
	err  error
}

// testPostgresURL is the test server's URL, or why it cannot be used.
func testPostgresURL() (string, error) {
	postgresProbe.once.Do(func() {
		u := os.Getenv("DOBOT_TEST_POSTGRES")
		if u == "" {
			u = defaultTestPostgres
		}
		postgresProbe.url = u
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", u)
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		postgresProbe.err = redactErr(u, err)
	})
	return postgresProbe.url, postgresProbe.err
}

// needPostgres skips t, or fails it under DOBOT_REQUIRE_POSTGRES=1, when no
// PostgreSQL server answers, and returns the server's URL otherwise.
func needPostgres(t testing.TB) string {
	t.Helper()
	u, err := testPostgresURL()
	if err != nil {
		msg := "no PostgreSQL server at " + RedactURL(u) + " (set DOBOT_TEST_POSTGRES): " + err.Error()
		if os.Getenv("DOBOT_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg + "; DOBOT_REQUIRE_POSTGRES=1 requires one")
		}
		t.Skip(msg)
	}
	return u
}

// freshPostgres creates a schema of its own for t, dropped when t ends, and
// returns the server URL with search_path set to it.
func freshPostgres(t testing.TB) string {
	t.Helper()
	u := needPostgres(t)
	raw := make([]byte, 8)
	rand.Read(raw)
	schema := "dobot_test_" + hex.EncodeToString(raw)
	admin, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	target, err := withParam(u, "search_path", schema)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

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
