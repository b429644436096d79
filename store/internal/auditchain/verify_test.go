package auditchain

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/store/internal/sqldb"
	"dobot/store/internal/sqldbtest"
)

var testKey = []byte(strings.Repeat("k", 32))

// fill opens a fresh database and appends n rows to its audit chain, as
// the store does, each a second after the one before.
func fill(t *testing.T, n int) sqldb.Conn {
	t.Helper()
	ctx := context.Background()
	c, writeTx := sqldbtest.Open(t)
	var stmts sqldb.Stmts
	t.Cleanup(func() { stmts.Close() })
	prepare := func(ctx context.Context, q string) (*sql.Stmt, error) { return stmts.Get(ctx, c, q) }
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := writeTx(ctx, func(tx *sqldb.Txn) error {
		for i := range n {
			e := dobot.AuditEntry{Time: t0.Add(time.Duration(i) * time.Second), UserID: "U1", Action: "launch",
				Target: fmt.Sprintf("app-%d", i%7), Outcome: "ok", Instance: "bot-1"}
			if _, err := Append(ctx, tx, prepare, testKey, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// edit changes rows the way someone with the file could, the append-only
// triggers dropped first.
func edit(t *testing.T, c sqldb.Conn, stmts ...string) {
	t.Helper()
	for _, q := range append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, stmts...) {
		if _, err := c.Exec(q); err != nil {
			t.Fatalf("Exec(%q) = %v", q, err)
		}
	}
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	c := fill(t, 5)
	rep, err := Verify(ctx, c, testKey, nil)
	if err != nil || rep.Rows != 5 || rep.HeadID != 5 || rep.Unkeyed != 0 {
		t.Fatalf("Verify() = %+v, %v; want 5 intact keyed rows", rep, err)
	}
	head := &Checkpoint{ID: 5, HashPrefix: rep.HeadHash[:8]}
	if _, err := Verify(ctx, c, testKey, head); err != nil {
		t.Errorf("Verify(matching checkpoint) = %v", err)
	}
	var brk *Break
	if _, err := Verify(ctx, c, testKey, &Checkpoint{ID: 6, HashPrefix: "00000000"}); !errors.As(err, &brk) || brk.Row != 6 {
		t.Errorf("Verify(checkpoint past the end) = %v; want row 6 missing", err)
	}
	if _, err := Verify(ctx, c, []byte(strings.Repeat("x", 32)), nil); !errors.As(err, &brk) || brk.Row != 1 {
		t.Errorf("Verify(another key) = %v; want row 1 named", err)
	}
	if _, err := Verify(ctx, c, nil, nil); err == nil || errors.As(err, &brk) {
		t.Errorf("Verify(no key) = %v; want an error that is not a break", err)
	}
	got, err := Query(ctx, c, dobot.AuditFilter{Target: "app-1"})
	if err != nil || len(got) != 1 || got[0].ID != 2 {
		t.Errorf("Query(target app-1) = %+v, %v; want row 2", got, err)
	}
	// A trigger dropped by hand is a fault too, once every row checks out.
	edit(t, c)
	if _, err := Verify(ctx, c, testKey, nil); !errors.As(err, &brk) || brk.Row != 0 || !strings.Contains(err.Error(), "audit_no_") {
		t.Errorf("Verify(triggers dropped) = %v; want the missing trigger named", err)
	}
}

// TestVerifyReportsTheFirstFault: verify reads rows and checks their hashes
// in two goroutines, batch by batch; with two faults in the trail it must
// still name the earlier one, whichever check finds it and wherever the
// batches break.
func TestVerifyReportsTheFirstFault(t *testing.T) {
	changed := func(id int) string { return fmt.Sprintf(`UPDATE audit SET details = 'forged' WHERE id = %d`, id) }
	unlinked := func(id int) string { return fmt.Sprintf(`UPDATE audit SET prev_hash = 'ffff' WHERE id = %d`, id) }
	const rows = Batch + 100
	tests := []struct {
		name  string
		edits []string
		want  int64
	}{
		{"changed row before a broken link, one batch", []string{changed(3), unlinked(7)}, 3},
		{"broken link before a changed row, one batch", []string{unlinked(3), changed(7)}, 3},
		{"changed row in the first batch, broken link in the second", []string{changed(100), unlinked(Batch + 50)}, 100},
		{"broken link in the first batch, changed row in the second", []string{unlinked(100), changed(Batch + 50)}, 100},
		{"changed last row", []string{changed(rows)}, rows},
		{"removed row", []string{`DELETE FROM audit WHERE id = 200`}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fill(t, rows)
			edit(t, c, tt.edits...)
			rep, err := Verify(context.Background(), c, testKey, nil)
			var brk *Break
			if !errors.As(err, &brk) || brk.Row != tt.want {
				t.Errorf("Verify = %+v, %v; want a break at row %d", rep, err, tt.want)
			}
		})
	}
}
