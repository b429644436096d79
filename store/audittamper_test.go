package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"dobot"
)

// rehashPlain rewrites the hashes of rows from id on (up to id to, when not
// 0) with plain SHA-256, each row linked to the one before: what anyone with
// the file could do to the old, unkeyed chain to hide an edit.
func rehashPlain(t *testing.T, raw *sql.DB, from int64, to ...int64) {
	t.Helper()
	ctx := context.Background()
	prev := ""
	if from > 1 {
		if err := raw.QueryRowContext(ctx, `SELECT hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1`, from).Scan(&prev); err != nil {
			t.Fatalf("read hash before row %d: %v", from, err)
		}
	}
	last := int64(1 << 62)
	if len(to) > 0 {
		last = to[0]
	}
	rows, err := raw.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE id BETWEEN ? AND ? ORDER BY id`, from, last)
	if err != nil {
		t.Fatal(err)
	}
	type fix struct {
		id         int64
		prev, hash string
	}
	var fixes []fix
	for rows.Next() {
		e, at, err := scanAuditRaw(rows)
		if err != nil {
			t.Fatal(err)
		}
		e.PrevHash = prev
		h := legacyAuditHash(at, e)
		fixes = append(fixes, fix{e.ID, prev, h})
		prev = h
	}
	rows.Close()
	for _, f := range fixes {
		if _, err := raw.ExecContext(ctx, `UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?`, f.prev, f.hash, f.id); err != nil {
			t.Fatalf("rehash row %d: %v", f.id, err)
		}
	}
}

// tamper opens path the way someone with shell access would and runs sql,
// the append-only triggers dropped first.
func tamper(t *testing.T, path string, stmts ...string) *sql.DB {
	t.Helper()
	raw := rawOpen(t, path)
	for _, q := range append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, stmts...) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("raw Exec(%q) = %v", q, err)
		}
	}
	return raw
}

// restoreTriggers puts back the triggers tamper dropped, as a careful forger
// would, so that only the chain can give the edit away.
func restoreTriggers(t *testing.T, raw *sql.DB) {
	t.Helper()
	body, err := os.ReadFile("../migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range sqliteDialect.TriggerStatement.FindAllStringSubmatch(string(body), -1) {
		if _, err := raw.Exec(m[1]); err != nil {
			t.Fatalf("restore trigger: %v", err)
		}
	}
}

// TestVerifyAuditCatchesForgers is every edit of issue 11 item 3, done by
// someone who can write the file but does not hold the audit key. Each one
// verified as intact on the old, unkeyed chain.
func TestVerifyAuditCatchesForgers(t *testing.T) {
	tests := []struct {
		name    string
		forge   func(t *testing.T, path string)
		head    bool // check against a checkpoint of the last row as written
		wantRow int64
		want    string
	}{
		{
			name: "edit a row and recompute every later hash",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path, `UPDATE audit SET user_id = 'UINNOCENT' WHERE id = 3`)
				rehashPlain(t, raw, 3)
				restoreTriggers(t, raw)
			},
			wantRow: 3, want: "plain SHA-256",
		},
		{
			name: "edit the first row and recompute the whole chain",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path, `UPDATE audit SET user_id = 'UINNOCENT' WHERE id = 1`)
				rehashPlain(t, raw, 1)
				restoreTriggers(t, raw)
			},
			wantRow: 1, want: "no keyed row anchors them",
		},
		{
			name: "delete a middle row and recompute",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path, `DELETE FROM audit WHERE id = 3`)
				rehashPlain(t, raw, 4)
				restoreTriggers(t, raw)
			},
			wantRow: 3, want: "missing",
		},
		{
			name: "delete a middle row, renumber and recompute",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path, `DELETE FROM audit WHERE id = 3`,
					`UPDATE audit SET id = id - 1 WHERE id > 3`,
					`UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'audit'`)
				rehashPlain(t, raw, 3)
				restoreTriggers(t, raw)
			},
			wantRow: 3, want: "plain SHA-256",
		},
		{
			name: "append a forged row with a plain hash",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path, `INSERT INTO audit (time, user_id, user_name, channel, command_text, action, target,
					decision, outcome, error, details, prev_hash, hash)
					SELECT time, 'UADMIN', '', '', '', 'grant', 'UEVIL', 'allowed', 'ok', '', '', hash, 'x'
					FROM audit WHERE id = 5`)
				rehashPlain(t, raw, 6)
				restoreTriggers(t, raw)
			},
			wantRow: 6, want: "plain SHA-256",
		},
		{
			name: "truncate the tail and lower sqlite_sequence",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path, `DELETE FROM audit WHERE id >= 4`,
					`UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit'`)
				restoreTriggers(t, raw)
			},
			head:    true,
			wantRow: 4, want: "checkpoint names row 5",
		},
		{
			name: "drop the append-only triggers",
			forge: func(t *testing.T, path string) {
				tamper(t, path)
			},
			want: "trigger audit_no_delete is missing",
		},
		{
			name: "replace a trigger with one that lets edits through",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path)
				restoreTriggers(t, raw)
				for _, q := range []string{`DROP TRIGGER audit_no_update`,
					`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN 0 BEGIN SELECT RAISE(ABORT, 'append-only'); END`} {
					if _, err := raw.Exec(q); err != nil {
						t.Fatal(err)
					}
				}
			},
			want: "trigger audit_no_update is not the one the migrations created",
		},
		{
			name: "add a trigger that silently drops new rows",
			forge: func(t *testing.T, path string) {
				raw := tamper(t, path)
				restoreTriggers(t, raw)
				if _, err := raw.Exec(`CREATE TRIGGER audit_quiet BEFORE INSERT ON audit BEGIN SELECT RAISE(IGNORE); END`); err != nil {
					t.Fatal(err)
				}
			},
			want: "trigger audit_quiet on the audit table was not created by any migration",
		},
		{
			name: "unlist the first migration so its triggers are not expected",
			forge: func(t *testing.T, path string) {
				tamper(t, path, `DELETE FROM schema_migrations WHERE name = '0001_init.sql'`)
			},
			want: "schema_migrations does not list 0001_init.sql",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, clock, path := openTest(t)
			rows := appendN(t, db, clock, 5)
			head := &AuditCheckpoint{ID: 5, HashPrefix: rows[4].Hash[:dobot.AuditRefHashLen]}
			if _, err := db.VerifyAuditTrail(ctx, head); err != nil {
				t.Fatalf("VerifyAuditTrail() before tampering = %v", err)
			}
			tt.forge(t, path)
			if !tt.head {
				head = nil
			}
			_, err := db.VerifyAuditTrail(ctx, head)
			var brk *AuditBreak
			if !errors.As(err, &brk) || brk.Row != tt.wantRow || !strings.Contains(brk.Reason, tt.want) {
				t.Errorf("VerifyAuditTrail() after forging = %v; want a break at row %d saying %q", err, tt.wantRow, tt.want)
			}
		})
	}
}

// Truncation with the sequence lowered leaves a chain that is intact as far
// as it goes: only a checkpoint from outside the database can tell.
func TestVerifyAuditTruncationNeedsCheckpoint(t *testing.T) {
	ctx := context.Background()
	db, clock, path := openTest(t)
	rows := appendN(t, db, clock, 5)
	raw := tamper(t, path, `DELETE FROM audit WHERE id >= 4`, `UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit'`)
	restoreTriggers(t, raw)
	if rep, err := db.VerifyAuditTrail(ctx, nil); err != nil || rep.Rows != 3 || rep.HeadID != 3 {
		t.Errorf("VerifyAuditTrail(no checkpoint) = %+v, %v; want 3 intact rows", rep, err)
	}
	// An older checkpoint still matches.
	old := &AuditCheckpoint{ID: 2, HashPrefix: rows[1].Hash[:8]}
	if _, err := db.VerifyAuditTrail(ctx, old); err != nil {
		t.Errorf("VerifyAuditTrail(checkpoint row 2) = %v; want intact", err)
	}
	wrong := &AuditCheckpoint{ID: 2, HashPrefix: rows[2].Hash[:8]}
	if _, err := db.VerifyAuditTrail(ctx, wrong); err == nil || !strings.Contains(err.Error(), "row 2:") {
		t.Errorf("VerifyAuditTrail(wrong hash for row 2) = %v; want a break at row 2", err)
	}
}

// A store keyed with another key cannot verify the chain: the key is what
// makes it tamper-evident, not the database.
func TestVerifyAuditNeedsTheKey(t *testing.T) {
	ctx := context.Background()
	db, clock, path := openTest(t)
	appendN(t, db, clock, 3)
	other, err := OpenReadOnly(ctx, path, []byte(strings.Repeat("k", MinAuditKeyLen)))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.VerifyAuditTrail(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "row 1: ") || !strings.Contains(err.Error(), "audit key") {
		t.Errorf("VerifyAuditTrail(other key) = %v; want row 1 named, with the key as a possible cause", err)
	}
}

// The key never reaches the database file, and the key file is reused.
func TestAuditKeyFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	info := db.AuditKeyInfo()
	if info.File != AuditKeyPath(path) || !info.Created {
		t.Errorf("AuditKeyInfo() after first Open = %+v; want a created %s", info, AuditKeyPath(path))
	}
	if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "grant"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	key, err := ReadAuditKeyFile(AuditKeyPath(path))
	if err != nil || len(key) != 64 {
		t.Fatalf("ReadAuditKeyFile() = %d bytes, %v; want 64 hex digits", len(key), err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, key) {
			t.Errorf("%s holds the audit key", f)
		}
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if info := db.AuditKeyInfo(); info.Created || info.ForeignHead != 0 {
		t.Errorf("AuditKeyInfo() after second Open = %+v; want the same key reused", info)
	}
	if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "revoke"}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 2 {
		t.Errorf("VerifyAudit() across two opens = %d, %v; want 2 intact rows", n, err)
	}
}

func TestAuditKeyGiven(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "dobot.db")
	if _, err := Open(ctx, path, WithAuditKey([]byte("short"))); err == nil || strings.Contains(err.Error(), "short") {
		t.Errorf("Open(short key) = %v; want a refusal that does not quote the key", err)
	}
	key := []byte(strings.Repeat("s3cr3t", 6))
	db, err := Open(ctx, path, WithAuditKey(key))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "grant"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(AuditKeyPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("key file with BOT_AUDIT_KEY given: %v; want none", err)
	}
	// Opened later without the key, the store generates one, says the head
	// is not its own, and changes nothing.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if info := db.AuditKeyInfo(); info.ForeignHead != 1 {
		t.Errorf("AuditKeyInfo() with another key = %+v; want ForeignHead 1", info)
	}
	db.Close()
	ro, err := OpenReadOnly(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if rep, err := ro.VerifyAuditTrail(ctx, nil); err != nil || rep.Rows != 1 {
		t.Errorf("VerifyAuditTrail(BOT_AUDIT_KEY) = %+v, %v; want 1 intact row", rep, err)
	}
}

// The database, its -wal and -shm, and the key file are 0600 whatever the
// umask. Before, they took the umask's mode: 0644 under umask 022.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "grant"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm", AuditKeyPath(path)} {
		st, err := os.Stat(f)
		if err != nil {
			t.Errorf("stat %s: %v", f, err)
			continue
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode of %s = %#o; want 0600", filepath.Base(f), st.Mode().Perm())
		}
	}
}

// A database from before the key: its plain-SHA rows are anchored by the
// first keyed row, checked, and reported as unkeyed.
func TestAuditUpgradeFromUnkeyedChain(t *testing.T) {
	ctx := context.Background()
	db, clock, path := openTest(t)
	db.Close()
	// Write three rows as the old store did.
	raw := rawOpen(t, path)
	prev := ""
	for i := range 3 {
		e := dobot.AuditEntry{Time: clock.Now(), UserID: "U1", Action: "launch", Target: fmt.Sprintf("app-%d", i), PrevHash: prev}
		e.Hash = legacyAuditHash(formatTime(e.Time), e)
		if _, err := raw.Exec(`INSERT INTO audit (time, user_id, user_name, channel, command_text, action, target,
			decision, outcome, error, details, prev_hash, hash) VALUES (?, ?, '', '', '', ?, ?, '', '', '', '', ?, ?)`,
			formatTime(e.Time), e.UserID, e.Action, e.Target, e.PrevHash, e.Hash); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	raw.Close()
	key, err := ReadAuditKeyFile(AuditKeyPath(path))
	if err != nil {
		t.Fatal(err)
	}

	// Before a keyed store opens it, nothing anchors the unkeyed rows.
	verify := func() (AuditReport, error) {
		ro, err := OpenReadOnly(ctx, path, key)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		return ro.VerifyAuditTrail(ctx, nil)
	}
	if _, err := verify(); err == nil || !strings.Contains(err.Error(), "row 1: rows 1–3 carry plain SHA-256") {
		t.Errorf("verify before the upgrade = %v; want rows 1–3 reported as not anchored", err)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if info := db.AuditKeyInfo(); info.Anchored != 3 {
		t.Errorf("AuditKeyInfo() = %+v; want Anchored 3", info)
	}
	if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "grant"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil { // a second start anchors nothing more
		t.Fatal(err)
	}
	if info := db.AuditKeyInfo(); info.Anchored != 0 {
		t.Errorf("AuditKeyInfo() on the second start = %+v; want nothing anchored", info)
	}
	db.Close()
	rep, err := verify()
	if err != nil || rep.Rows != 5 || rep.Unkeyed != 3 {
		t.Errorf("verify after the upgrade = %+v, %v; want 5 rows, 1–3 unkeyed", rep, err)
	}

	// The unkeyed span is now covered: rewriting it breaks the anchor, and
	// rewriting the anchor too leaves no keyed row at all.
	raw = tamper(t, path, `UPDATE audit SET user_id = 'UINNOCENT' WHERE id = 2`)
	rehashPlain(t, raw, 2, 3)
	restoreTriggers(t, raw)
	if _, err := verify(); err == nil || !strings.Contains(err.Error(), "row 4: ") {
		t.Errorf("verify after rewriting unkeyed rows = %v; want the anchor, row 4, named", err)
	}
	raw = tamper(t, path)
	rehashPlain(t, raw, 4)
	restoreTriggers(t, raw)
	if _, err := verify(); err == nil || !strings.Contains(err.Error(), "row 1: ") {
		t.Errorf("verify after rewriting every row = %v; want row 1 named", err)
	}
}

// Verify opens the file read-only: it works on a file nobody may write,
// leaves no -wal or -shm behind, and applies no migration, so the file is
// byte for byte unchanged. Before, it ran every missing migration on it.
func TestOpenReadOnlyChangesNothing(t *testing.T) {
	ctx := context.Background()
	db, clock, path := openTest(t)
	appendN(t, db, clock, 3)
	db.Close()
	// A database from a bot one migration behind.
	raw := rawOpen(t, path)
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE name = '0003_app_details.sql'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left after close: %v", f, err)
		}
	}
	key, err := ReadAuditKeyFile(AuditKeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	stBefore, _ := os.Stat(path)

	ro, err := OpenReadOnly(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ro.VerifyAuditTrail(ctx, nil)
	if err != nil || rep.Rows != 3 {
		t.Errorf("VerifyAuditTrail() read-only = %+v, %v; want 3 intact rows", rep, err)
	}
	if _, err := ro.AppendAudit(ctx, dobot.AuditEntry{Action: "grant"}); err == nil {
		t.Errorf("AppendAudit() on a read-only store succeeded")
	}
	ro.Close()

	after, _ := os.ReadFile(path)
	stAfter, _ := os.Stat(path)
	if !bytes.Equal(before, after) || !stAfter.ModTime().Equal(stBefore.ModTime()) {
		t.Errorf("the database file changed while being verified")
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists after a read-only verify: %v", filepath.Base(f), err)
		}
	}
}

// A running bot holds a -wal file; verify then reads through it and sees
// rows not yet checkpointed into the main file.
func TestOpenReadOnlyWhileTheBotRuns(t *testing.T) {
	ctx := context.Background()
	db, clock, path := openTest(t)
	rows := appendN(t, db, clock, 4)
	key, err := ReadAuditKeyFile(AuditKeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	head := &AuditCheckpoint{ID: 4, HashPrefix: rows[3].Hash[:8]}
	if rep, err := ro.VerifyAuditTrail(ctx, head); err != nil || rep.Rows != 4 {
		t.Errorf("VerifyAuditTrail() beside a running store = %+v, %v; want 4 intact rows", rep, err)
	}
}

// Rows cut off the end are not covered up by the next append: it takes an
// id past every id ever handed out, so the gap stays for verify to name.
func TestAppendAfterTruncationKeepsTheGap(t *testing.T) {
	ctx := context.Background()
	db, clock, path := openTest(t)
	appendN(t, db, clock, 5)
	raw := tamper(t, path, `DELETE FROM audit WHERE id >= 4`)
	restoreTriggers(t, raw)
	e, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "grant"})
	if err != nil || e.ID != 6 {
		t.Fatalf("AppendAudit() after truncation = id %d, %v; want 6", e.ID, err)
	}
	if _, err := db.VerifyAudit(ctx); err == nil || !strings.Contains(err.Error(), "row 4: missing") {
		t.Errorf("VerifyAudit() = %v; want row 4 named missing", err)
	}
}
