package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dobot/internal/pgtest"
)

// TestDatabasePasswordNeverShown: the bot started with a BOT_DB URL that
// carries a password never writes it in its logs, its /healthz or Slack;
// the start line names the database with xxxxx in its place.
func TestDatabasePasswordNeverShown(t *testing.T) {
	const pw = "s3cret-db-pass-7f2c"
	u, err := url.Parse(pgtest.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pw) // the test server trusts, so any password works
	addr := freeAddr(t)
	w := newWorld(t, withEnv("BOT_DB="+u.String(), "BOT_AUDIT_KEY="+replicaKey, "BOT_HTTP_ADDR="+addr))
	w.run(admin, "list")
	w.waitEphemeral(admin, "The bot manages nothing yet")
	health := get(t, "http://"+addr+"/healthz", http.StatusOK)
	w.stop(sigterm, stopBudget)
	logs := w.logs.String()
	if !strings.Contains(logs, ":xxxxx@") {
		t.Errorf("no log line names the database with xxxxx for its password:\n%s", logs)
	}
	for what, text := range map[string]string{"logs": logs, "/healthz": health} {
		if strings.Contains(text, pw) {
			t.Errorf("the database password is in the bot's %s", what)
		}
	}
	for _, m := range w.slack.Messages() {
		if strings.Contains(m.Text, pw) || strings.Contains(string(m.Blocks), pw) {
			t.Errorf("the database password was sent to Slack: %q", m.Text)
		}
	}
}
