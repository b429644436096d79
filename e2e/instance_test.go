package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
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
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(w.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			continue // not a log record
		}
		lines++
		if rec["instance"] != "replica-e2e" {
			t.Errorf("log line without the instance: %s", line)
		}
	}
	if lines == 0 {
		t.Fatalf("no JSON log lines in:\n%s", w.logs)
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
