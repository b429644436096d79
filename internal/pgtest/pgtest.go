// Package pgtest gives tests a fresh PostgreSQL schema of their own. Only
// tests import it.
//
// The server is DOBOT_TEST_POSTGRES, by default the CI server
// postgres://postgres@127.0.0.1:5432/test. Where none answers, the tests
// that need it skip and say why, unless DOBOT_REQUIRE_POSTGRES=1 (CI), which
// makes them fail instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// DefaultURL is the CI server.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test"

var probe struct {
	once sync.Once
	url  string
	err  error
}

// server is the test server's URL, or why it cannot be used.
func server() (string, error) {
	probe.once.Do(func() {
		u := os.Getenv("DOBOT_TEST_POSTGRES")
		if u == "" {
			u = DefaultURL
		}
		probe.url = u
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", u)
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		probe.err = err
	})
	return probe.url, probe.err
}

// Need skips t, or fails it under DOBOT_REQUIRE_POSTGRES=1, when no
// PostgreSQL server answers, and returns the server's URL otherwise.
func Need(t testing.TB) string {
	t.Helper()
	u, err := server()
	if err != nil {
		msg := "no PostgreSQL server at " + redact(u) + " (set DOBOT_TEST_POSTGRES): " + hide(err.Error(), u)
		if os.Getenv("DOBOT_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg + "; DOBOT_REQUIRE_POSTGRES=1 requires one")
		}
		t.Skip(msg)
	}
	return u
}

// Fresh creates a schema of its own for t, dropped with everything in it
// when t ends, and returns the server's URL with search_path set to it.
func Fresh(t testing.TB) string {
	t.Helper()
	u := Need(t)
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
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}

// redact is the URL with any password replaced, as store.RedactURL does.
func redact(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return pu.Redacted()
}

// hide removes u's password from text.
func hide(text, u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return text
	}
	if p, ok := pu.User.Password(); ok && p != "" {
		text = strings.ReplaceAll(text, p, "xxxxx")
	}
	return text
}
