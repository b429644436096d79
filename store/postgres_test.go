package store

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dobot"
)

// openPostgresTest opens a fresh PostgreSQL store (skipping without a
// server, as forEachBackend does) with five audit rows.
func openPostgresTest(t *testing.T) (*DB, string) {
	t.Helper()
	be := backends[1]
	db, clock, target := be.open(t)
	appendN(t, db, clock, 5)
	if _, err := db.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("VerifyAudit() before tampering = %v", err)
	}
	return db, target
}

// TestVerifyAuditDetectsTamperingPostgres edits a PostgreSQL database the
// ways its owner could: with triggers skipped for the session
// (session_replication_role), disabled, dropped or emptied.
func TestVerifyAuditDetectsTamperingPostgres(t *testing.T) {
	const skip = `SET session_replication_role = replica`
	tests := []struct {
		name string
		sql  []string
		want string
	}{
		{"edited row", []string{skip, `UPDATE audit SET outcome = 'error' WHERE id = 3`}, "row 3:"},
		{"edited time", []string{skip, `UPDATE audit SET time = '2020-01-01T00:00:00.000000000Z' WHERE id = 2`}, "row 2:"},
		{"deleted middle row", []string{skip, `DELETE FROM audit WHERE id = 3`}, "row 3:"},
		{"deleted last rows", []string{skip, `DELETE FROM audit WHERE id >= 4`}, "row 4: missing"},
		{"truncated", []string{`ALTER TABLE audit DISABLE TRIGGER audit_no_truncate`, `TRUNCATE audit`}, "row 1: missing"},
		{"disabled trigger", []string{`ALTER TABLE audit DISABLE TRIGGER audit_no_update`}, "audit_no_update is disabled"},
		{"replication-only trigger", []string{`ALTER TABLE audit ENABLE REPLICA TRIGGER audit_no_delete`}, "audit_no_delete is disabled"},
		{"lower sequence row added", []string{skip, `DELETE FROM audit WHERE id = 5`, `INSERT INTO audit_sequence (seq) VALUES (4)`}, "row 5: missing"},
		{"dropped trigger", []string{`DROP TRIGGER audit_no_delete ON audit`}, "audit_no_delete is missing"},
		{"replaced trigger", []string{`DROP TRIGGER audit_no_delete ON audit`,
			`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()`},
			"audit_no_delete is not the one"},
		{"emptied function", []string{`CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`},
			"function audit_refuse"},
		{"added trigger", []string{`CREATE TRIGGER audit_later AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_bump_sequence()`},
			"audit_later on the audit table was not created by any migration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, target := openPostgresTest(t)
			raw := rawTarget(t, target)
			c, err := raw.Conn(ctx) // one session, so SET holds for what follows
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tt.sql {
				if _, err := c.ExecContext(ctx, q); err != nil {
					t.Fatalf("raw Exec(%q) = %v", q, err)
				}
			}
			c.Close()

			_, err = db.VerifyAudit(ctx)
			var brk *AuditBreak
			if !errors.As(err, &brk) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("VerifyAudit() after %s = %v; want an *AuditBreak containing %q", tt.name, err, tt.want)
			}
		})
	}
}

// TestAuditTriggersRefuseTruncatePostgres: PostgreSQL can empty a table
// without DELETE, so the append-only triggers cover TRUNCATE too.
func TestAuditTriggersRefuseTruncatePostgres(t *testing.T) {
	db, _ := openPostgresTest(t)
	if _, err := db.sql.Exec(`TRUNCATE audit`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("TRUNCATE audit = %v; want append-only error", err)
	}
}

// TestOpenReadOnlyPostgres verifies through a read-only store, which cannot
// write even by mistake.
func TestOpenReadOnlyPostgres(t *testing.T) {
	ctx := context.Background()
	db, target := openPostgresTest(t)
	ro, err := OpenReadOnly(ctx, target, testAuditKey)
	if err != nil {
		t.Fatalf("OpenReadOnly = %v", err)
	}
	defer ro.Close()
	rep, err := ro.VerifyAuditTrail(ctx, nil)
	if err != nil || rep.Rows != 5 {
		t.Errorf("read-only VerifyAuditTrail = %+v, %v; want 5 rows intact", rep, err)
	}
	if _, err := ro.MarkHandled(ctx, "k"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("MarkHandled on a read-only store = %v; want a read-only refusal", err)
	}
	// A row appended while it is open is seen by the next verify.
	if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "launch", Target: "after", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	if rep, err := ro.VerifyAuditTrail(ctx, nil); err != nil || rep.Rows != 6 {
		t.Errorf("VerifyAuditTrail after an append = %+v, %v; want 6 rows intact", rep, err)
	}
}

// TestOpenPostgresNeedsAuditKey: no key file can sit beside a server, and a
// generated key per replica would fork the chain's keys.
func TestOpenPostgresNeedsAuditKey(t *testing.T) {
	target := freshPostgres(t)
	if _, err := Open(context.Background(), target); err == nil || !strings.Contains(err.Error(), "BOT_AUDIT_KEY") {
		t.Errorf("Open(postgres URL) without a key = %v; want a refusal naming BOT_AUDIT_KEY", err)
	}
}

// TestOpenHidesThePassword: a database URL's password never appears in an
// error, whichever step fails; the URL shows with xxxxx in its place.
func TestOpenHidesThePassword(t *testing.T) {
	const pw = "s3cr3t-Pa55word"
	ctx := context.Background()
	targets := []string{
		"postgres://bot:" + pw + "@127.0.0.1:1/dobot?sslmode=disable&connect_timeout=2",
		"postgresql://bot:" + pw + "@127.0.0.1:1/dobot?connect_timeout=2",
		"postgres://bot@127.0.0.1:1/dobot?password=" + pw + "&connect_timeout=2",
		"postgres://bot:" + pw + "@127.0.0.1:1/dobot?sslmode=nonsense",
	}
	for _, target := range targets {
		for name, open := range map[string]func() error{
			"Open":         func() error { _, err := Open(ctx, target, WithAuditKey(testAuditKey)); return err },
			"OpenReadOnly": func() error { _, err := OpenReadOnly(ctx, target, testAuditKey); return err },
			"no key":       func() error { _, err := Open(ctx, target); return err },
		} {
			err := open()
			if err == nil {
				t.Fatalf("%s(%s) = nil; want an error", name, RedactURL(target))
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("%s error shows the password: %v", name, err)
			}
			if !strings.Contains(err.Error(), "xxxxx") {
				t.Errorf("%s error = %v; want the URL with xxxxx for the password", name, err)
			}
		}
	}
	if got := RedactURL("postgres://bot:" + pw + "@db:5432/x?sslmode=require"); got != "postgres://bot:xxxxx@db:5432/x?sslmode=require" {
		t.Errorf("RedactURL = %q", got)
	}
	if got := RedactURL("/var/lib/dobot/dobot.db"); got != "/var/lib/dobot/dobot.db" {
		t.Errorf("RedactURL(path) = %q; want the path", got)
	}
}

// otherProcessLocks opens path as a store from a second process (this test
// binary run again) and returns the error it got, nil when it opened.
func otherProcessLocks(path string) error {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), "DOBOT_LOCK_HELPER_DB="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return errors.Join(ErrLocked, errors.New(string(out)))
	}
	return errors.Join(err, errors.New(string(out)))
}

// TestLockHelperProcess is the second process of otherProcessLocks.
func TestLockHelperProcess(t *testing.T) {
	path := os.Getenv("DOBOT_LOCK_HELPER_DB")
	if path == "" {
		t.Skip("runs only as otherProcessLocks's helper")
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		os.Stdout.WriteString(err.Error())
		if errors.Is(err, ErrLocked) {
			os.Exit(3)
		}
		os.Exit(4)
	}
	db.Close()
	os.Exit(0)
}

// TestSQLiteFileLock: while one store has a SQLite file open, a second
// process cannot open it and is told why, but read-only opens still can;
// closing frees it.
func TestSQLiteFileLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Another process: a second open file description of the lock file.
	if err := otherProcessLocks(path); !errors.Is(err, ErrLocked) {
		t.Errorf("lock from another process while open = %v; want ErrLocked", err)
	}
	if err != nil && !strings.Contains(err.Error(), "stop the other one") {
		t.Errorf("lock refusal = %v; want it to say what to do", err)
	}
	key, err := ReadAuditKeyFile(AuditKeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, path, key)
	if err != nil {
		t.Fatalf("OpenReadOnly while the bot runs = %v", err)
	}
	if _, err := ro.VerifyAudit(ctx); err != nil {
		t.Errorf("VerifyAudit read-only while the bot runs = %v", err)
	}
	ro.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := otherProcessLocks(path); err != nil {
		t.Errorf("lock after Close = %v; want it free", err)
	}
}
