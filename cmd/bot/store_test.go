package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"dobot/internal/pgtest"
	"dobot/store"
)

// botRun runs the bot in-process with the environment vars and returns its
// exit status and everything it wrote.
func botRun(t *testing.T, vars map[string]string, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, env(vars), strings.NewReader(""), &stdout, &stderr)
	out := stdout.String() + stderr.String()
	if err != nil {
		return exitCode(err), out + "dobot: " + err.Error()
	}
	return 0, out
}

// TestStoreCopyToPostgres moves a SQLite store to PostgreSQL the way the
// README says: the trail verifies there with the same head, under the key
// the bot then gets as BOT_AUDIT_KEY, and a second copy is refused.
func TestStoreCopyToPostgres(t *testing.T) {
	path, rows := auditDB(t, 4)
	target := pgtest.Fresh(t)
	head := rows[len(rows)-1].Ref()

	code, out := botRun(t, nil, "store", "copy", "--from", path, "--to", target)
	if code != 0 || !strings.Contains(out, "audit trail intact there: 4 rows, head "+head) {
		t.Fatalf("bot store copy = %d, %q; want the copy verified with head %s", code, out, head)
	}
	if !strings.Contains(out, "BOT_AUDIT_KEY") || !strings.Contains(out, store.AuditKeyPath(path)) {
		t.Errorf("bot store copy output %q; want it to say the bot needs the key file's key as BOT_AUDIT_KEY", out)
	}

	key, err := os.ReadFile(store.AuditKeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"BOT_DB": target, "BOT_AUDIT_KEY": strings.TrimSpace(string(key))}
	code, out = botRun(t, vars, "audit", "verify", "--head", strings.TrimPrefix(strings.ReplaceAll(head, " · ", ":"), "#"))
	if code != 0 || !strings.Contains(out, "audit trail intact: 4 rows") {
		t.Errorf("bot audit verify on PostgreSQL = %d, %q; want intact", code, out)
	}
	code, out = botRun(t, vars, "audit", "export", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 5 {
		t.Errorf("bot audit export on PostgreSQL = %d, %q; want a header and 4 rows", code, out)
	}

	code, out = botRun(t, nil, "store", "copy", "--from", path, "--to", target)
	if code == 0 || !strings.Contains(out, "not empty") {
		t.Errorf("second bot store copy = %d, %q; want a refusal of the non-empty target", code, out)
	}
}

// TestStoreCopyHidesThePassword: a target URL's password never shows, even
// when the copy fails on it.
func TestStoreCopyHidesThePassword(t *testing.T) {
	path, _ := auditDB(t, 1)
	const pw = "Sup3r-s3cret"
	for _, vars := range []map[string]string{nil, {"BOT_AUDIT_KEY": strings.Repeat("k", 32)}} {
		code, out := botRun(t, vars, "store", "copy", "--from", path, "--to", "postgres://bot:"+pw+"@127.0.0.1:1/dobot?connect_timeout=2")
		if code == 0 || strings.Contains(out, pw) || !strings.Contains(out, "postgres://bot:xxxxx@127.0.0.1:1/dobot") {
			t.Errorf("bot store copy to an unreachable server = %d, %q; want a failure naming the URL with xxxxx, never the password", code, out)
		}
	}
	code, out := botRun(t, map[string]string{"BOT_DB": "postgres://bot:" + pw + "@127.0.0.1:1/dobot?connect_timeout=2", "BOT_AUDIT_KEY": strings.Repeat("k", 32)},
		"audit", "verify")
	if code != 2 || strings.Contains(out, pw) || !strings.Contains(out, "xxxxx") {
		t.Errorf("bot audit verify on an unreachable server = %d, %q; want exit 2 naming the URL with xxxxx", code, out)
	}
}

func TestStoreCopyUsage(t *testing.T) {
	for _, args := range [][]string{{"store"}, {"store", "copy"}, {"store", "copy", "--from", "a.db"}, {"store", "move"}} {
		if code, out := botRun(t, nil, args...); code != 2 || !strings.Contains(out, "bot store copy --from") {
			t.Errorf("bot %v = %d, %q; want exit 2 with the usage", args, code, out)
		}
	}
}
