package store

import (
	"context"
	"net/url"
	"testing"

	"dobot"
)

// TestOpenPostgresSSLModeRequire: a URL with sslmode=require, as
// DigitalOcean's Managed PostgreSQL gives it, opens the store over TLS.
func TestOpenPostgresSSLModeRequire(t *testing.T) {
	target := freshPostgres(t)
	ctx := context.Background()
	raw := rawTarget(t, target)
	var ssl string
	if err := raw.QueryRowContext(ctx, `SHOW ssl`).Scan(&ssl); err != nil {
		t.Fatal(err)
	}
	if ssl != "on" {
		t.Skip("the test PostgreSQL server has ssl = off; sslmode=require needs a server with TLS")
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("sslmode", "require")
	u.RawQuery = q.Encode()
	db, err := Open(ctx, u.String(), WithAuditKey(testAuditKey))
	if err != nil {
		t.Fatalf("Open(%s) = %v", RedactURL(u.String()), err)
	}
	defer db.Close()
	if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "grant", Target: "U1"}); err != nil {
		t.Fatalf("AppendAudit over sslmode=require = %v", err)
	}
	var encrypted bool
	if err := db.sql.QueryRowContext(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&encrypted); err != nil || !encrypted {
		t.Errorf("pg_stat_ssl.ssl of the store's connection = %v, %v; want true, over TLS", encrypted, err)
	}
}
