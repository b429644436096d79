package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dobot"
	"dobot/internal/botproc"
	"dobot/internal/dotest"
	"dobot/internal/slacktest"
)

type slacktestMessage = slacktest.Message

const (
	sigterm    = syscall.SIGTERM
	stopBudget = 10 * time.Second
)

// assertNoTokens fails if text holds any of the test tokens.
func assertNoTokens(t *testing.T, where, text string) {
	t.Helper()
	for _, tok := range []string{botToken, appToken, doToken, "secret"} {
		if strings.Contains(text, tok) {
			t.Errorf("%s contains the secret %q", where, tok)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	var sb strings.Builder
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		sb.Write(b)
	}
	return sb.String()
}

// servers is a Slack and a DigitalOcean test server without a bot.
type servers struct {
	env []string
}

func newWorldServers(t *testing.T) servers {
	w := &world{t: t,
		slack: slacktest.New(slacktest.Options{BotToken: botToken, AppToken: appToken}),
		do:    dotest.New(t, dotest.Options{Token: doToken}),
	}
	t.Cleanup(w.slack.Close)
	return servers{env: []string{
		"SLACK_BOT_TOKEN=" + botToken, "SLACK_APP_TOKEN=" + appToken, "DO_API_TOKEN=" + doToken,
		"SLACK_API_URL=" + w.slack.APIURL(), "DO_API_URL=" + w.do.URL(),
		"BOT_DB=" + filepath.Join(t.TempDir(), "dobot.db"),
	}}
}

// envWith returns the servers' environment with kv overriding.
func (s servers) envWith(kv ...string) []string {
	out := append([]string{}, s.env...)
	return append(out, kv...)
}

// runWithTimeout runs cmd, killing it after d, and returns its output.
func runWithTimeout(cmd *exec.Cmd, d time.Duration) (string, error) {
	var buf lockedBuffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return buf.String(), err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		return buf.String(), nil
	}
}

type auditEntry = dobot.AuditEntry

// seedRolesLive is a no-op marker for tests that rely on the seeded roles.
func (w *world) seedRolesLive(map[string]string) {}

// TestWorldAppliesEachOptionOnce: the harness used to apply every option
// twice, once before and once after building the defaults.
func TestWorldAppliesEachOptionOnce(t *testing.T) {
	calls := 0
	o := worldOptions(t, func(*botproc.Options) { calls++ }, withEnv("BOT_INSTANCE=once"))
	if calls != 1 {
		t.Errorf("an option was applied %d times; want once", calls)
	}
	n := 0
	for _, kv := range o.Env {
		if kv == "BOT_INSTANCE=once" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("withEnv added its variable %d times; want once: %q", n, o.Env)
	}
}
