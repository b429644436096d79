package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dobot"
	"dobot/store"
)

// auditDB makes a database with n audit rows written by the store, as the
// bot writes them, and returns its path and the rows.
func auditDB(t *testing.T, n int, entries ...dobot.AuditEntry) (string, []dobot.AuditEntry) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		entries = append(entries, dobot.AuditEntry{UserID: fmt.Sprintf("U%d", i), Action: "launch", Target: fmt.Sprintf("app-%d", i), Outcome: "ok"})
	}
	var rows []dobot.AuditEntry
	for _, e := range entries {
		e, err := db.AppendAudit(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, e)
	}
	return path, rows
}

// botAudit runs `bot audit ARGS…` in-process against path and returns its
// exit status and output.
func botAudit(t *testing.T, path string, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"audit"}, args...), env(map[string]string{"BOT_DB": path}),
		strings.NewReader(""), &stdout, &stderr)
	out := stdout.String() + stderr.String()
	if err != nil {
		out += "dobot: " + err.Error()
		return exitCode(err), out
	}
	return 0, out
}

// forge opens the file with the plain driver, as someone with shell access
// would, drops the append-only triggers and runs stmts.
func forge(t *testing.T, path string, stmts ...string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	for _, q := range append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, stmts...) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return raw
}

// rehash recomputes every hash from row from on the way the old, unkeyed
// chain was computed (a public algorithm): SHA-256 of the fields as a JSON
// array led by "v1".
func rehash(t *testing.T, raw *sql.DB, from int64) {
	t.Helper()
	var prev string
	if err := raw.QueryRow(`SELECT hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1`, from).Scan(&prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	rows, err := raw.Query(`SELECT id, time, user_id, user_name, channel, command_text, action, target, decision, outcome, error, details
		FROM audit WHERE id >= ? ORDER BY id`, from)
	if err != nil {
		t.Fatal(err)
	}
	type fix struct {
		id         int64
		prev, hash string
	}
	var fixes []fix
	for rows.Next() {
		var id int64
		f := make([]string, 11)
		if err := rows.Scan(&id, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10]); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(append(append([]string{"v1"}, f...), prev))
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		fixes = append(fixes, fix{id, prev, h})
		prev = h
	}
	rows.Close()
	for _, f := range fixes {
		if _, err := raw.Exec(`UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?`, f.prev, f.hash, f.id); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditVerifyIntact(t *testing.T) {
	path, rows := auditDB(t, 3)
	ref := rows[2].Ref()
	code, out := botAudit(t, path, "verify")
	if code != 0 || !strings.Contains(out, "audit trail intact: 3 rows, head "+ref) {
		t.Errorf("bot audit verify = %d\n%s\nwant 0, intact, 3 rows, head %s", code, out, ref)
	}
	head := fmt.Sprintf("%d:%s", rows[2].ID, rows[2].Hash[:8])
	code, out = botAudit(t, path, "verify", "--head", head)
	if code != 0 || !strings.Contains(out, "matches checkpoint "+ref) {
		t.Errorf("bot audit verify --head %s = %d\n%s\nwant 0, matching", head, code, out)
	}
	// The audit channel's own form works too.
	if code, out = botAudit(t, path, "verify", "--head", ref); code != 0 {
		t.Errorf("bot audit verify --head %q = %d\n%s", ref, code, out)
	}

	// The key file's content is the key: set as BOT_AUDIT_KEY (as on a
	// replica, or on the machine that checks a copy) it verifies the same.
	key, err := os.ReadFile(store.AuditKeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(store.AuditKeyPath(path)); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"audit", "verify"}, env(map[string]string{"BOT_DB": path, "BOT_AUDIT_KEY": string(key)}),
		strings.NewReader(""), &stdout, &stderr)
	if err != nil || !strings.Contains(stdout.String(), "intact") {
		t.Errorf("bot audit verify with BOT_AUDIT_KEY = %v\n%s%s", err, &stdout, &stderr)
	}
	if strings.Contains(stdout.String()+stderr.String(), strings.TrimSpace(string(key))) {
		t.Errorf("bot audit verify printed the key")
	}
}

// Every edit of issue 11 item 3 makes the real subcommand exit 1 and name the
// first bad row (or the trigger). Each verified as intact before.
func TestAuditVerifyTampered(t *testing.T) {
	insertForged := `INSERT INTO audit (time, user_id, user_name, channel, command_text, action, target,
		decision, outcome, error, details, prev_hash, hash)
		SELECT time, 'UADMIN', '', '', '', 'grant', 'UEVIL', 'allowed', 'ok', '', '', hash, '' FROM audit WHERE id = 4`
	tests := []struct {
		name  string
		stmts []string
		from  int64 // rehash from this row on; 0 for none
		head  bool
		want  string
	}{
		{"edit a row and recompute later hashes", []string{`UPDATE audit SET user_id = 'UINNOCENT' WHERE id = 2`}, 2, false, "broken at row 2: "},
		{"delete a middle row and recompute", []string{`DELETE FROM audit WHERE id = 2`}, 3, false, "broken at row 2: missing"},
		{"append a forged row", []string{insertForged}, 5, false, "broken at row 5: "},
		{"truncate and lower the sequence", []string{`DELETE FROM audit WHERE id >= 3`, `UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit'`}, 0, true, "broken at row 3: missing"},
		{"drop the triggers", nil, 0, false, "broken at trigger audit_no_delete is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, rows := auditDB(t, 4)
			head := fmt.Sprintf("%d:%s", rows[3].ID, rows[3].Hash[:8])
			if code, out := botAudit(t, path, "verify", "--head", head); code != 0 {
				t.Fatalf("bot audit verify before forging = %d\n%s", code, out)
			}
			raw := forge(t, path, tt.stmts...)
			if tt.from > 0 {
				rehash(t, raw, tt.from)
			}
			if tt.name != "drop the triggers" {
				// A careful forger puts the triggers back.
				for _, q := range []string{
					`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are append-only: update refused');
END`,
					`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are append-only: delete refused');
END`} {
					if _, err := raw.Exec(q); err != nil {
						t.Fatal(err)
					}
				}
			}
			raw.Close()
			args := []string{"verify"}
			if tt.head {
				args = append(args, "--head", head)
			}
			code, out := botAudit(t, path, args...)
			if code != 1 || !strings.Contains(out, tt.want) {
				t.Errorf("bot audit %s after forging = %d\n%s\nwant 1 and %q", strings.Join(args, " "), code, out, tt.want)
			}
		})
	}
}

func TestAuditVerifyUsageExitsTwo(t *testing.T) {
	path, _ := auditDB(t, 1)
	noKey, _ := auditDB(t, 1)
	if err := os.Remove(store.AuditKeyPath(noKey)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		args []string
		want string
	}{
		{"no subcommand", path, nil, "usage: bot audit verify"},
		{"unknown subcommand", path, []string{"check"}, `unknown audit command "check"`},
		{"argument", path, []string{"verify", "now"}, "takes only --head"},
		{"unknown flag", path, []string{"verify", "--tail", "1"}, "-tail"},
		{"bad checkpoint", path, []string{"verify", "--head", "12"}, "ID:HASH"},
		{"short checkpoint hash", path, []string{"verify", "--head", "1:abc"}, "ID:HASH"},
		{"no database", filepath.Join(t.TempDir(), "none.db"), []string{"verify"}, "no database at"},
		{"no key", noKey, []string{"verify"}, "set BOT_AUDIT_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := botAudit(t, tt.path, tt.args...)
			if code != 2 || !strings.Contains(out, tt.want) {
				t.Errorf("bot audit %v = %d\n%s\nwant 2 and %q", tt.args, code, out, tt.want)
			}
		})
	}
}

// Verify reads a file nobody may write, from a bot one migration behind,
// and leaves it exactly as it was: no -wal or -shm, no migration applied.
func TestAuditVerifyReadOnlyFile(t *testing.T) {
	path, _ := auditDB(t, 2)
	raw := forge(t, path, `DELETE FROM schema_migrations WHERE name = '0003_app_details.sql'`,
		`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are append-only: update refused');
END`,
		`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are append-only: delete refused');
END`)
	raw.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	stBefore, _ := os.Stat(path)

	for _, args := range [][]string{{"verify"}, {"export", "--format", "json"}} {
		if code, out := botAudit(t, path, args...); code != 0 {
			t.Errorf("bot audit %v on a read-only file = %d\n%s", args, code, out)
		}
	}
	after, _ := os.ReadFile(path)
	stAfter, _ := os.Stat(path)
	if !bytes.Equal(before, after) || !stAfter.ModTime().Equal(stBefore.ModTime()) {
		t.Errorf("bot audit changed the database file")
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists after bot audit: %v", filepath.Base(f), err)
		}
	}
}

func TestAuditExportNeutralisesFormulas(t *testing.T) {
	evil := dobot.AuditEntry{UserID: "U1", UserName: "@SUM(1+1)", CommandText: `=HYPERLINK("https://evil.example","x")`,
		Action: "launch", Target: "web", Outcome: "ok", Error: "+1", Details: "-2+3", Decision: "\tx", Channel: "\rC1"}
	path, _ := auditDB(t, 0, evil)
	code, out := botAudit(t, path, "export", "--format", "csv")
	if code != 0 {
		t.Fatalf("bot audit export = %d\n%s", code, out)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("export = %d records, %v\n%s", len(recs), err, out)
	}
	for i, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s = %q; a spreadsheet would run it as a formula", recs[0][i], cell)
		}
	}
	want := map[string]string{"command": `'=HYPERLINK("https://evil.example","x")`, "user_name": "'@SUM(1+1)", "error": "'+1",
		"details": "'-2+3", "decision": "'\tx", "target": "web"}
	for i, col := range recs[0] {
		if w, ok := want[col]; ok && recs[1][i] != w {
			t.Errorf("column %s = %q; want %q", col, recs[1][i], w)
		}
	}
}
