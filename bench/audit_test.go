package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the driver the store uses

	"dobot"
	"dobot/internal/slacktest"
	"dobot/store"
)

// auditApp is the app whose rows /do audit --app asks for: one row in every
// auditApps belongs to it.
const (
	auditApp  = "app-7"
	auditApps = 100
)

// fillAudit creates the store's schema at path with store.Open, then inserts
// n synthetic audit rows straight through database/sql in one transaction.
// The rows carry empty hashes: the hash chain costs nothing at query time,
// and computing it would only slow the fixture down (the chain does not
// verify on this database, which the benchmark never asks it to; the bot
// logs at start that the last row is not keyed with its key).
func fillAudit(ctx context.Context, path string, n int) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return rawTx(ctx, path, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO audit (time, user_id, user_name, channel, command_text, action,
			target, decision, outcome, error, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		base := auditBase(n)
		for i := range n {
			f := auditFields(base, i)
			if _, err := stmt.ExecContext(ctx, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]); err != nil {
				return fmt.Errorf("insert row %d: %w", i, err)
			}
		}
		return nil
	})
}

// rawTx runs fn in one transaction on the SQLite file at path, opened
// without syncing, and commits when fn returns nil.
func rawTx(ctx context.Context, path string, fn func(tx *sql.Tx) error) error {
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// auditBase is the time of the first of n synthetic audit rows, one a
// second up to now.
func auditBase(n int) time.Time {
	return time.Now().Add(-time.Duration(n) * time.Second).UTC()
}

// auditActions are the actions of the synthetic audit rows, in turn.
var auditActions = []string{"launch", "teardown", "grant", "revoke", "approval.request", "do.create_app", "status", "do.deployment"}

// auditFields are synthetic audit row i's columns from time to details.
func auditFields(base time.Time, i int) []string {
	at := base.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000000000Z")
	app := fmt.Sprintf("app-%d", i%auditApps)
	return []string{at, fmt.Sprintf("U%03d", i%50), "someone", channel, "/do launch " + app + " --image ghcr.io/acme/web:1.2.3",
		auditActions[i%len(auditActions)], app, "allowed", "ok", "", "app_id=8c1e deployment_id=42"}
}

// measureAudit times `/do audit --app X` end to end through Slack, and the
// store's query alone, over sz.auditRows rows.
func measureAudit(t *testing.T, sz sizes, res *results) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	start := time.Now()
	if err := fillAudit(ctx, path, sz.auditRows); err != nil {
		t.Fatalf("fill audit: %v", err)
	}
	res.note("audit: %d rows inserted in %s (hashes left empty: they play no part in the query)", sz.auditRows, ms(time.Since(start)))

	r := newRig(t, rigOptions{dbPath: path})
	isAnswer := func(m slacktest.Message) bool {
		return m.Method == "chat.postEphemeral" && m.User == admin && strings.Contains(m.Text, "Audit, newest first")
	}
	var lat []time.Duration
	for i := range sz.auditRuns + 1 { // the first run warms the caches
		env := r.slash("audit --app " + auditApp)
		got := r.waitMessages(i+1, 30*time.Second, isAnswer)
		if len(got) < i+1 {
			t.Fatalf("no answer to /do audit --app %s\n%s", auditApp, r.logs)
		}
		if !strings.Contains(got[i].Text, "*"+auditApp+"*") {
			t.Fatalf("audit answer does not list %s: %.300s", auditApp, got[i].Text)
		}
		acks := r.waitAcks([]string{env}, 10*time.Second)
		a, ok := acks[env]
		if !ok {
			t.Fatalf("no ack for /do audit")
		}
		if i > 0 {
			lat = append(lat, got[i].At.Sub(a.SentAt))
		}
	}
	lat = sortDurations(lat)

	// The store's query alone, as runAudit asks it (default 20 rows, plus
	// one to know whether there are more). Read-only: the bot still has the
	// file, and SQLite serves one bot process.
	db, err := store.OpenReadOnly(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var q []time.Duration
	for range 100 {
		t0 := time.Now()
		rows, err := db.Audit(ctx, dobot.AuditFilter{Target: auditApp, Limit: 21})
		q = append(q, time.Since(t0))
		if err != nil || len(rows) != 21 {
			t.Fatalf("Audit = %d rows, %v; want 21", len(rows), err)
		}
	}
	q = sortDurations(q)
	res.add(fmt.Sprintf("`/do audit --app %s` over %d audit rows (envelope → private answer)", auditApp, sz.auditRows),
		"≤ 20 ms",
		fmt.Sprintf("p50 %s, max %s over %d runs; store query alone p50 %s", ms(percentile(lat, 50)), ms(lat[len(lat)-1]), len(lat), ms(percentile(q, 50))),
		percentile(lat, 50) <= 20*time.Millisecond)
	res.note("audit: end to end p50 %s, p90 %s, max %s; store.DB.Audit(target=%s, limit 21) p50 %s, p99 %s over 100 calls",
		ms(percentile(lat, 50)), ms(percentile(lat, 90)), ms(lat[len(lat)-1]), auditApp, ms(percentile(q, 50)), ms(percentile(q, 99)))
}
