package store

import (
	"context"
	"database/sql"
	"dobot/store/internal/auditchain"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dobot"
)

// bulkAudit appends n synthetic rows in one transaction with one prepared
// statement. It exists only to build large fixtures fast; the keyed hashes
// are computed properly anyway (it costs little), so the chain still
// verifies.
func bulkAudit(ctx context.Context, db *DB, n int) error {
	return db.writeTx(ctx, func(tx *txn) error {
		var (
			prev   string
			lastID int64
		)
		err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `
			INSERT INTO audit (id, time, user_id, user_name, channel, command_text, action,
				target, decision, outcome, error, details, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()

		actions := []string{"launch", "teardown", "grant", "revoke", "approval.request", "do.create_app", "logs", "status"}
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			e := dobot.AuditEntry{
				ID:          lastID + int64(i) + 1,
				Time:        base.Add(time.Duration(i) * time.Second),
				UserID:      fmt.Sprintf("U%03d", i%50),
				UserName:    "someone",
				Channel:     "C1",
				CommandText: "launch web --image ghcr.io/acme/web:1.2.3",
				Action:      actions[i%len(actions)],
				Target:      fmt.Sprintf("app-%d", i%100),
				Decision:    "allowed",
				Outcome:     "ok",
				Details:     "deployment 8c1e",
				PrevHash:    prev,
			}
			e.Hash = auditchain.Hash(db.auditKey, e.ID, formatTime(e.Time), e)
			if _, err := stmt.ExecContext(ctx, e.ID, formatTime(e.Time), e.UserID, e.UserName, e.Channel,
				e.CommandText, e.Action, e.Target, e.Decision, e.Outcome, e.Error, e.Details,
				e.PrevHash, e.Hash); err != nil {
				return err
			}
			prev = e.Hash
		}
		return nil
	})
}

// millionRows is the shared 1,000,000-row fixture: building it takes
// seconds, so it is built once per process and removed by TestMain.
type fixture struct {
	once sync.Once
	dir  string
	db   *DB
	err  error
}

var millionRows fixture

func (f *fixture) get(b *testing.B) *DB {
	b.Helper()
	f.once.Do(func() {
		ctx := context.Background()
		if f.dir, f.err = os.MkdirTemp("", "dobot-bench-"); f.err != nil {
			return
		}
		if f.db, f.err = Open(ctx, filepath.Join(f.dir, "audit.db")); f.err != nil {
			return
		}
		start := time.Now()
		f.err = bulkAudit(ctx, f.db, 1_000_000)
		b.Logf("built 1,000,000-row audit fixture in %v", time.Since(start))
	})
	if f.err != nil {
		b.Fatalf("build fixture: %v", f.err)
	}
	return f.db
}

func (f *fixture) close() {
	if f.db != nil {
		f.db.Close()
	}
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	millionRows.close()
	os.Exit(code)
}

func BenchmarkAuditByApp(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-row fixture")
	}
	db := millionRows.get(b)
	ctx := context.Background()
	f := dobot.AuditFilter{Target: "app-7", Limit: 50}
	for b.Loop() {
		got, err := db.Audit(ctx, f)
		if err != nil || len(got) != 50 {
			b.Fatalf("Audit(%+v) = %d rows, %v; want 50", f, len(got), err)
		}
	}
}

// BenchmarkVerifyAudit checks the keyed chain of a million rows, as
// `bot audit verify` does.
func BenchmarkVerifyAudit(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-row fixture")
	}
	db := millionRows.get(b)
	ctx := context.Background()
	for b.Loop() {
		rep, err := db.VerifyAuditTrail(ctx, nil)
		if err != nil || rep.Rows != 1_000_000 {
			b.Fatalf("VerifyAuditTrail() = %+v, %v; want 1,000,000 intact rows", rep, err)
		}
	}
}

// BenchmarkRole reads a role as every command's authorisation does: from
// the read cache, and with the cache off, from SQLite.
func BenchmarkRole(b *testing.B) {
	for _, cache := range []bool{true, false} {
		name := "cached"
		if !cache {
			name = "uncached"
		}
		b.Run(name, func(b *testing.B) {
			db, _, _ := openTest(b)
			if !cache {
				db.reads = nil
			}
			ctx := context.Background()
			if err := db.SetRole(ctx, "U1", dobot.RoleDeployer, "UADMIN"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if r, err := db.Role(ctx, "U1"); err != nil || r != dobot.RoleDeployer {
					b.Fatalf("Role(U1) = %v, %v; want deployer", r, err)
				}
			}
		})
	}
}

func BenchmarkAppendAudit(b *testing.B) {
	db, _, _ := openTest(b)
	ctx := context.Background()
	e := dobot.AuditEntry{UserID: "U1", Action: "launch", Target: "web", Outcome: "ok"}
	for b.Loop() {
		if _, err := db.AppendAudit(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}
