package store

import (
	"context"
	"dobot/store/internal/auditchain"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot"
)

// appendN appends n rows with targets app-0, app-1, app-2 in turn, one second
// apart, and returns them as stored.
func appendN(t *testing.T, db *DB, clock *testClock, n int) []dobot.AuditEntry {
	t.Helper()
	var out []dobot.AuditEntry
	for i := range n {
		e, err := db.AppendAudit(context.Background(), dobot.AuditEntry{
			UserID:  fmt.Sprintf("U%d", i%2),
			Action:  []string{"launch", "teardown"}[i%2],
			Target:  fmt.Sprintf("app-%d", i%3),
			Outcome: "ok",
			Details: fmt.Sprintf("row %d", i),
		})
		if err != nil {
			t.Fatalf("AppendAudit(%d) = %v", i, err)
		}
		out = append(out, e)
		clock.Advance(time.Second)
	}
	return out
}

func TestAuditChain(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		rows := appendN(t, db, clock, 5)

		for i, e := range rows {
			if e.ID != int64(i+1) {
				t.Errorf("row %d: ID = %d; want %d", i, e.ID, i+1)
			}
			if want := t0.Add(time.Duration(i) * time.Second); !e.Time.Equal(want) {
				t.Errorf("row %d: Time = %v; want %v", i, e.Time, want)
			}
			wantPrev := ""
			if i > 0 {
				wantPrev = rows[i-1].Hash
			}
			if e.PrevHash != wantPrev {
				t.Errorf("row %d: PrevHash = %q; want %q", i, e.PrevHash, wantPrev)
			}
			if want := auditchain.Hash(db.auditKey, e.ID, formatTime(e.Time), e); e.Hash != want {
				t.Errorf("row %d: Hash = %q; want the keyed hash %q", i, e.Hash, want)
			}
			if legacy := legacyAuditHash(formatTime(e.Time), e); e.Hash == legacy {
				t.Errorf("row %d: Hash is the unkeyed SHA-256 anyone can recompute", i)
			}
		}

		// A caller-set time is kept; caller-set hashes are not.
		at := time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
		e, err := db.AppendAudit(ctx, dobot.AuditEntry{Time: at, Action: "grant", PrevHash: "x", Hash: "y"})
		if err != nil {
			t.Fatal(err)
		}
		if !e.Time.Equal(at) || e.PrevHash != rows[4].Hash || e.Hash == "y" {
			t.Errorf("AppendAudit(with time and hashes) = %+v; want time %v, prev %q, fresh hash", e, at, rows[4].Hash)
		}

		// What AppendAudit returned is what a read returns.
		got, err := db.Audit(ctx, dobot.AuditFilter{Limit: 1})
		if err != nil || len(got) != 1 || got[0] != e {
			t.Errorf("Audit(limit 1) = %+v, %v; want [%+v]", got, err, e)
		}

		n, err := db.VerifyAudit(ctx)
		if err != nil || n != 6 {
			t.Errorf("VerifyAudit() = %d, %v; want 6, nil", n, err)
		}
		if c, err := db.AuditCount(ctx); err != nil || c != 6 {
			t.Errorf("AuditCount() = %d, %v; want 6, nil", c, err)
		}
	})
}

func TestVerifyAuditEmpty(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		db, _, _ := be.open(t)
		if n, err := db.VerifyAudit(context.Background()); err != nil || n != 0 {
			t.Errorf("VerifyAudit() on empty log = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestAuditTriggersRefuseChanges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		appendN(t, db, clock, 2)
		for _, q := range []string{
			`UPDATE audit SET details = 'edited' WHERE id = 1`,
			`DELETE FROM audit WHERE id = 1`,
		} {
			_, err := db.sql.ExecContext(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("Exec(%q) = %v; want append-only error", q, err)
			}
		}
	})
}

// TestVerifyAuditDetectsTampering edits the file the way someone with shell
// access could: another connection, triggers dropped.
func TestVerifyAuditDetectsTampering(t *testing.T) {
	tests := []struct {
		name    string
		sql     []string
		wantRow string
	}{
		{
			name:    "edited row",
			sql:     []string{`DROP TRIGGER audit_no_update`, `UPDATE audit SET outcome = 'error' WHERE id = 3`},
			wantRow: "row 3:",
		},
		{
			name:    "edited time",
			sql:     []string{`DROP TRIGGER audit_no_update`, `UPDATE audit SET time = '2020-01-01T00:00:00.000000000Z' WHERE id = 2`},
			wantRow: "row 2:",
		},
		{
			name:    "forged prev hash",
			sql:     []string{`DROP TRIGGER audit_no_update`, `UPDATE audit SET prev_hash = 'forged' WHERE id = 4`},
			wantRow: "row 4:",
		},
		{
			name:    "deleted middle row",
			sql:     []string{`DROP TRIGGER audit_no_delete`, `DELETE FROM audit WHERE id = 3`},
			wantRow: "row 3:",
		},
		{
			name:    "deleted first row",
			sql:     []string{`DROP TRIGGER audit_no_delete`, `DELETE FROM audit WHERE id = 1`},
			wantRow: "row 1:",
		},
		{
			name:    "deleted last rows",
			sql:     []string{`DROP TRIGGER audit_no_delete`, `DELETE FROM audit WHERE id >= 4`},
			wantRow: "row 4:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, clock, path := openTest(t)
			appendN(t, db, clock, 5)
			if _, err := db.VerifyAudit(ctx); err != nil {
				t.Fatalf("VerifyAudit() before tampering = %v", err)
			}

			raw := rawOpen(t, path)
			for _, q := range tt.sql {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					t.Fatalf("raw Exec(%q) = %v", q, err)
				}
			}
			raw.Close()

			_, err := db.VerifyAudit(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.wantRow) {
				t.Errorf("VerifyAudit() after %s = %v; want error naming %q", tt.name, err, tt.wantRow)
			}
		})
	}
}

func TestAuditFilters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		appendN(t, db, clock, 12) // ids 1..12; target app-(id-1)%3, user U(id-1)%2

		ids := func(es []dobot.AuditEntry) []int64 {
			var out []int64
			for _, e := range es {
				out = append(out, e.ID)
			}
			return out
		}
		tests := []struct {
			name string
			in   dobot.AuditFilter
			want []int64
		}{
			{"all newest first", dobot.AuditFilter{}, []int64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
			{"limit", dobot.AuditFilter{Limit: 3}, []int64{12, 11, 10}},
			{"target", dobot.AuditFilter{Target: "app-1"}, []int64{11, 8, 5, 2}},
			{"user", dobot.AuditFilter{UserID: "U0"}, []int64{11, 9, 7, 5, 3, 1}},
			{"action", dobot.AuditFilter{Action: "teardown"}, []int64{12, 10, 8, 6, 4, 2}},
			{"target and user", dobot.AuditFilter{Target: "app-1", UserID: "U1"}, []int64{8, 2}},
			{"since", dobot.AuditFilter{Since: t0.Add(9 * time.Second)}, []int64{12, 11, 10}},
			{"since and action", dobot.AuditFilter{Since: t0.Add(9 * time.Second), Action: "launch"}, []int64{11}},
			{"no match", dobot.AuditFilter{Target: "nope"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Audit(ctx, tt.in)
				if err != nil || fmt.Sprint(ids(got)) != fmt.Sprint(tt.want) {
					t.Errorf("Audit(%+v) = %v, %v; want %v", tt.in, ids(got), err, tt.want)
				}
			})
		}
	})
}

func TestAuditLimits(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		appendN(t, db, clock, 1) // the chain's first row, so bulk rows follow on
		if err := bulkAudit(ctx, db, 1100); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			in   int
			want int
		}{
			{"default", 0, 50},
			{"negative", -1, 50},
			{"given", 7, 7},
			{"capped", 5000, 1000},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Audit(ctx, dobot.AuditFilter{Limit: tt.in})
				if err != nil || len(got) != tt.want {
					t.Errorf("len(Audit(Limit: %d)) = %d, %v; want %d", tt.in, len(got), err, tt.want)
				}
			})
		}
	})
}

func TestAuditAll(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		appendN(t, db, clock, 5)

		var got []int64
		err := db.AuditAll(ctx, t0.Add(2*time.Second), func(e dobot.AuditEntry) error {
			got = append(got, e.ID)
			return nil
		})
		if err != nil || fmt.Sprint(got) != "[3 4 5]" {
			t.Errorf("AuditAll(since t0+2s) = %v, %v; want [3 4 5]", got, err)
		}

		got = nil
		stop := errors.New("stop")
		err = db.AuditAll(ctx, time.Time{}, func(e dobot.AuditEntry) error {
			got = append(got, e.ID)
			if e.ID == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || fmt.Sprint(got) != "[1 2]" {
			t.Errorf("AuditAll(stop at 2) = %v, %v; want [1 2], stop", got, err)
		}
	})
}

func TestAuditConcurrentAppends(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)

		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				_, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "launch", Target: fmt.Sprintf("app-%d", i)})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("AppendAudit = %v", err)
			}
		}
		if c, err := db.AuditCount(ctx); err != nil || c != n {
			t.Errorf("AuditCount() = %d, %v; want %d", c, err, n)
		}
		if checked, err := db.VerifyAudit(ctx); err != nil || checked != n {
			t.Errorf("VerifyAudit() = %d, %v; want %d, nil", checked, err, n)
		}
	})
}

// TestAuditQueriesUseIndexes guards the benchmark's speed without a million
// rows: each filter must walk its (column, id) index and never sort.
func TestAuditQueriesUseIndexes(t *testing.T) {
	db, _, _ := openTest(t)
	tests := []struct {
		name  string
		where string
		index string
	}{
		{"target", "target = ?", "audit_target"},
		{"user", "user_id = ?", "audit_user"},
		{"action", "action = ?", "audit_action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.sql.Query(`EXPLAIN QUERY PLAN SELECT `+auditColumns+
				` FROM audit WHERE `+tt.where+` ORDER BY id DESC LIMIT ?`, "x", 50)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			got := strings.Join(plan, "; ")
			if !strings.Contains(got, tt.index) || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("plan(%s) = %q; want index %s and no sort", tt.where, got, tt.index)
			}
		})
	}
}

// TestAuditRecordsTheInstance: each row names the process that wrote it,
// the keyed hash covers that name, and rows from before instances were
// recorded still verify but cannot be given one unnoticed.
func TestAuditRecordsTheInstance(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, target := be.open(t)
		appendN(t, db, clock, 2) // no instance, as before BOT_INSTANCE
		db.instance = "replica-a"
		rows := appendN(t, db, clock, 2)
		if rows[0].Instance != "replica-a" {
			t.Fatalf("AppendAudit stored instance %q; want replica-a", rows[0].Instance)
		}
		got, err := db.Audit(ctx, dobot.AuditFilter{})
		if err != nil || len(got) != 4 || got[0].Instance != "replica-a" || got[3].Instance != "" {
			t.Fatalf("Audit() = %+v, %v; want the instance read back", got, err)
		}
		if _, err := db.VerifyAudit(ctx); err != nil {
			t.Fatalf("VerifyAudit() = %v; want rows with and without an instance intact", err)
		}
		for _, tt := range []struct {
			sql  string
			want string
		}{
			{`UPDATE audit SET instance = 'replica-b' WHERE id = 4`, "row 4:"},
			{`UPDATE audit SET instance = 'replica-b' WHERE id = 2`, "row 2:"},
		} {
			raw := rawTarget(t, target)
			c, err := raw.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			skip := `DROP TRIGGER IF EXISTS audit_no_update`
			if IsPostgres(target) {
				skip = `SET session_replication_role = replica`
			}
			for _, q := range []string{skip, tt.sql} {
				if _, err := c.ExecContext(ctx, q); err != nil {
					t.Fatalf("raw Exec(%q) = %v", q, err)
				}
			}
			c.Close()
			if _, err := db.VerifyAudit(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("VerifyAudit() after %s = %v; want an error naming %q", tt.sql, err, tt.want)
			}
		}
	})
}
