package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dobot/store"
)

// TestInstanceShowsEverywhere: BOT_INSTANCE names the process in /healthz
// and in every log line.
func TestInstanceShowsEverywhere(t *testing.T) {
	addr := freeAddr(t)
	w := newWorld(t, withEnv("BOT_HTTP_ADDR="+addr, "BOT_INSTANCE=replica-e2e"))
	w.launchLive("web", "nginx")
	if body := get(t, "http://"+addr+"/healthz", http.StatusOK); !strings.Contains(body, `"instance":"replica-e2e"`) {
		t.Errorf("/healthz = %s; want the instance", body)
	}
	w.stop(sigterm, stopBudget)
	checkInstanceOnEveryLine(t, w.logs.String(), "replica-e2e")
}

// TestInstanceOnStartupFailure: a bot that cannot start says why on a log
// line that names its instance, like every other line it writes, and
// without the database's password.
func TestInstanceOnStartupFailure(t *testing.T) {
	const pw = "s3cret-db-pass-51d0"
	srv := newWorldServers(t)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		want string // in the error line
	}{
		{"BOT_DB unusable", []string{"BOT_DB=" + filepath.Join(notDir, "dobot.db")}, "not a directory"},
		{"PostgreSQL unreachable", []string{"BOT_DB=postgres://dobot:" + pw + "@" + freeAddr(t) + "/dobot?sslmode=disable",
			"BOT_AUDIT_KEY=" + replicaKey}, ":xxxxx@"},
		{"another dobot on the SQLite file", nil, "another dobot process is using this SQLite database"},
		{"Slack refuses the token", []string{"SLACK_BOT_TOKEN=xoxb-wrong-secret"}, "SLACK_BOT_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := srv.envWith(append([]string{"BOT_INSTANCE=replica-fail", "BOT_HTTP_ADDR=off"}, tc.env...)...)
			if tc.env == nil {
				holdLockFile(t, env)
			}
			cmd := exec.Command(botBinary)
			cmd.Env = env
			out, err := runWithTimeout(cmd, 20*time.Second)
			if err == nil {
				t.Fatalf("bot started (or kept running) anyway:\n%s", out)
			}
			checkInstanceOnEveryLine(t, out, "replica-fail")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			last := lines[len(lines)-1]
			if !strings.Contains(last, tc.want) || !strings.Contains(last, `"level":"ERROR"`) {
				t.Errorf("last line = %s; want the error, saying %q", last, tc.want)
			}
			for _, secret := range []string{pw, "xoxb-wrong-secret"} {
				if strings.Contains(out, secret) {
					t.Errorf("the output shows the secret %q:\n%s", secret, out)
				}
			}
		})
	}
}

// holdLockFile opens the SQLite file of env as a running bot would, so that
// the bot started with env finds it taken.
func holdLockFile(t *testing.T, env []string) {
	t.Helper()
	var path string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "BOT_DB="); ok {
			path = v
		}
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
}

// checkInstanceOnEveryLine fails t for every line of logs that is not a
// JSON log record naming instance: a plain line, even the last one, is a
// line a replica's log collector cannot attribute.
func checkInstanceOnEveryLine(t *testing.T, logs, instance string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) == 1 && lines[0] == "" {
		t.Fatalf("no log lines")
	}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line that is not a JSON record, so without the instance: %s", line)
			continue
		}
		if rec["instance"] != instance {
			t.Errorf("log line without the instance %q: %s", instance, line)
		}
	}
}

// TestSecondBotOnOneSQLiteFile: SQLite serves one bot; a second process
// started on the same file exits at once and says why, while the read-only
// `bot audit verify` still works beside the running bot.
func TestSecondBotOnOneSQLiteFile(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")

	second := exec.Command(botBinary)
	second.Env = w.env
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another dobot process is using this SQLite database") ||
		!strings.Contains(string(out), "stop the other one first") {
		t.Errorf("second bot on %s = %v\n%s\nwant it to exit saying another process holds the file", w.dbPath, err, out)
	}

	verify := exec.Command(botBinary, "audit", "verify")
	verify.Env = w.env
	if out, err := verify.CombinedOutput(); err != nil || !strings.Contains(string(out), "audit trail intact") {
		t.Errorf("bot audit verify beside the running bot = %v\n%s", err, out)
	}

	// The first bot is unharmed and still answers.
	w.run(viewer, "list")
	w.waitEphemeral(viewer, "web")
}
