package store

import (
	"context"
	"errors"
	"sync"
	"testing"

	"dobot"
)

// handledKeys counts rows of the handled table with key.
func handledKeys(t *testing.T, db *DB, key string) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRowContext(context.Background(), `SELECT count(*) FROM handled WHERE key = ?`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAppendAuditClaimsTheEnvelope(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		db, _, _ := be.open(t)
		bg := context.Background()
		const url = "https://hooks.slack.test/commands/T1/1/secret"
		ctx := WithEnvelope(bg, "cmd:trigger-1", url, "U1", "C1")

		first, err := db.AppendAudit(ctx, dobot.AuditEntry{UserID: "U1", Action: "status", Decision: "allowed", Outcome: "started"})
		if err != nil {
			t.Fatalf("first AppendAudit under the envelope = %v", err)
		}
		if n := handledKeys(t, db, "cmd:trigger-1"); n != 1 {
			t.Errorf("handled rows for the key after the first append = %d; want 1", n)
		}
		// The response_url was recorded in the same commit: its use is
		// counted, and it answers U1.
		allowed, user, err := db.UseResponseURL(bg, url, 5, 30*60e9)
		if err != nil || !allowed || user != "U1" {
			t.Errorf("UseResponseURL after the claim = %v, %q, %v; want true, U1, nil", allowed, user, err)
		}
		// Later rows of the same command are written alone.
		if _, err := db.AppendAudit(ctx, dobot.AuditEntry{UserID: "U1", Action: "status", Outcome: "ok"}); err != nil {
			t.Errorf("second AppendAudit under the same envelope = %v; want nil", err)
		}

		// A redelivery of the envelope (a new context with the same key,
		// as after a restart or on another replica) appends nothing.
		again := WithEnvelope(bg, "cmd:trigger-1", url, "U1", "C1")
		_, err = db.AppendAudit(again, dobot.AuditEntry{UserID: "U1", Action: "status", Decision: "allowed", Outcome: "started"})
		if !errors.Is(err, dobot.ErrAlreadyHandled) {
			t.Errorf("AppendAudit for a redelivered envelope = %v; want dobot.ErrAlreadyHandled", err)
		}
		rows, err := db.Audit(bg, dobot.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[1].ID != first.ID {
			t.Errorf("audit after the redelivery has %d rows; want the 2 of the first delivery", len(rows))
		}
		// Rows without an envelope are unaffected by it.
		if _, err := db.AppendAudit(bg, dobot.AuditEntry{Action: "ttl.expired"}); err != nil {
			t.Errorf("AppendAudit without an envelope = %v", err)
		}
		if n, err := db.VerifyAudit(bg); err != nil || n != 3 {
			t.Errorf("VerifyAudit = %d, %v; want 3 rows, nil", n, err)
		}
	})
}

// TestAppendAuditClaimIsAtomic: when the audit row cannot be written, the
// envelope is not recorded as handled either, so Slack's redelivery runs
// the command (a command that cannot be audited does not run, and is not
// lost).
func TestAppendAuditClaimIsAtomic(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		db, _, target := be.open(t)
		raw := rawTarget(t, target)
		refuse := []string{`CREATE TRIGGER audit_refuse_insert BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused'); END`}
		if be.name == "postgres" {
			refuse = []string{
				`CREATE FUNCTION audit_refuse_insert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`,
				`CREATE TRIGGER audit_refuse_insert BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_refuse_insert()`,
			}
		}
		for _, q := range refuse {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		ctx := WithEnvelope(context.Background(), "env:E1", "", "U1", "C1")
		if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "status"}); err == nil || errors.Is(err, dobot.ErrAlreadyHandled) {
			t.Fatalf("AppendAudit with the insert refused = %v; want the refusal", err)
		}
		if n := handledKeys(t, db, "env:E1"); n != 0 {
			t.Errorf("handled rows after a failed append = %d; want 0 (nothing committed)", n)
		}
		if _, err := raw.Exec(`DROP TRIGGER audit_refuse_insert` + map[bool]string{true: ` ON audit`}[be.name == "postgres"]); err != nil {
			t.Fatal(err)
		}
		// The same context may try again: the claim was not used up.
		if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "status"}); err != nil {
			t.Errorf("AppendAudit again once the insert works = %v; want nil", err)
		}
		if n := handledKeys(t, db, "env:E1"); n != 1 {
			t.Errorf("handled rows after the append = %d; want 1", n)
		}
	})
}

// TestAppendAuditClaimConcurrent: replicas (or goroutines) handed the same
// envelope at once: exactly one appends, and the chain stays one chain.
func TestAppendAuditClaimConcurrent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		db, _, target := be.open(t)
		other := be.reopen(t, target) // a second store on the database, as a replica
		var (
			wg              sync.WaitGroup
			mu              sync.Mutex
			ok, dup, failed int
		)
		for i := range 20 {
			store := db
			if i%2 == 1 {
				store = other
			}
			wg.Go(func() {
				ctx := WithEnvelope(context.Background(), "cmd:same", "", "U1", "C1")
				_, err := store.AppendAudit(ctx, dobot.AuditEntry{Action: "status", Outcome: "started"})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, dobot.ErrAlreadyHandled):
					dup++
				default:
					failed++
					t.Errorf("AppendAudit = %v", err)
				}
			})
		}
		wg.Wait()
		if ok != 1 || dup != 19 || failed != 0 {
			t.Errorf("20 concurrent appends of one envelope: %d appended, %d already handled, %d failed; want 1, 19, 0", ok, dup, failed)
		}
		if n, err := db.VerifyAudit(context.Background()); err != nil || n != 1 {
			t.Errorf("VerifyAudit = %d, %v; want 1 row, nil", n, err)
		}
	})
}
