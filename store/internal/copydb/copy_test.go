package copydb

import (
	"context"
	"errors"
	"strings"
	"testing"

	"dobot/store/internal/sqldb"
	"dobot/store/internal/sqldbtest"
)

func exec(t *testing.T, c sqldb.Conn, q string, args ...any) {
	t.Helper()
	if _, err := c.Exec(q, args...); err != nil {
		t.Fatalf("Exec(%q) = %v", q, err)
	}
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	src, _ := sqldbtest.Open(t)
	exec(t, src, `INSERT INTO roles (user_id, role, granted_by, granted_at) VALUES ('U1', 4, 'BOT_ADMINS', '2026-01-01T00:00:00.000000000Z')`)
	exec(t, src, `INSERT INTO audit (id, time, user_id, user_name, channel, command_text, action, target, decision, outcome, error, details, prev_hash, hash)
		VALUES (7, '2026-01-01T00:00:00.000000000Z', 'U1', '', '', '', 'grant', '', '', 'ok', '', '', '', 'h7')`)
	dst, dstTx := sqldbtest.Open(t)

	rep, err := Copy(ctx, src, dst, dstTx)
	if err != nil {
		t.Fatalf("Copy() = %v", err)
	}
	if rep.Rows["roles"] != 1 || rep.Rows["audit"] != 1 || rep.Tables[len(rep.Tables)-1] != "audit" {
		t.Errorf("Copy() = %+v; want one role and one audit row, audit copied last", rep)
	}
	var hash string
	if err := dst.QueryRow(`SELECT hash FROM audit WHERE id = 7`).Scan(&hash); err != nil || hash != "h7" {
		t.Errorf("copied audit row 7 = %q, %v; want its hash kept", hash, err)
	}
	if seq, err := sqldb.AuditSequence(ctx, dst, dst.D); err != nil || seq != 7 {
		t.Errorf("target audit sequence = %d, %v; want 7, carried over", seq, err)
	}

	// A second copy would mix two histories.
	if _, err := Copy(ctx, src, dst, dstTx); !errors.Is(err, ErrTargetNotEmpty) {
		t.Errorf("Copy() into a filled target = %v; want ErrTargetNotEmpty", err)
	}
}

func TestCopyRefusesOtherMigrations(t *testing.T) {
	src, _ := sqldbtest.Open(t)
	dst, dstTx := sqldbtest.Open(t)
	exec(t, dst, `DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations)`)
	_, err := Copy(context.Background(), src, dst, dstTx)
	if err == nil || !strings.Contains(err.Error(), "open both with this version of dobot first") {
		t.Errorf("Copy() between stores on different migrations = %v; want a refusal saying what to do", err)
	}
	var n int
	if err := dst.QueryRow(`SELECT count(*) FROM roles`).Scan(&n); err != nil || n != 0 {
		t.Errorf("target roles after a refused copy = %d, %v; want none", n, err)
	}
}
