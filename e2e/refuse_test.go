package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestRefusedLaunchMakesNoDigitalOceanCall(t *testing.T) {
	w := newWorld(t)
	for _, user := range []string{viewer, stranger} {
		w.run(user, "launch web --image nginx")
		m := w.waitEphemeral(user, "needs the deployer role")
		if !strings.Contains(m.Text, "<@"+admin+">") {
			t.Errorf("refusal %q does not name the admins", m.Text)
		}
	}
	// help stays open to people without a role.
	w.run(stranger, "help")
	w.waitEphemeral(stranger, "no role yet")
	if reqs := w.do.Requests(); len(reqs) != 0 {
		t.Errorf("refused commands made DigitalOcean calls: %+v", reqs)
	}
	for _, m := range w.slack.Messages() {
		if m.Method == "chat.postMessage" {
			t.Errorf("refused command posted in the channel: %q", m.Text)
		}
	}
}

func TestBadInputGetsClearReplyAndNoAPICall(t *testing.T) {
	w := newWorld(t)
	tests := []struct{ text, want string }{
		{"frobnicate web", "unknown command"},
		{"launch web --image nginx --instances lots", "--instances"},
		{"launch web --image nginx --bogus", "does not know the flag --bogus"},
		{"launch Web_App --image nginx", "bad app name"},
		{"launch web --image quay.io/acme/web:1", "bad image ref"},
		{"launch web --image 'nginx", "quote"},
		{"launch web --image nginx --region mars9", "unknown region"},
		{"grant bob admin", "not a Slack user"},
		{"grant <@U777> overlord", "unknown role"},
		{"teardown", "exactly one app name"},
	}
	for _, tt := range tests {
		w.run(admin, tt.text)
		w.waitEphemeral(admin, tt.want)
	}
	if reqs := w.do.Requests(); len(reqs) != 0 {
		t.Errorf("bad input made DigitalOcean calls: %+v", reqs)
	}
	for _, m := range w.slack.Messages() {
		if m.Method == "chat.postMessage" {
			t.Errorf("bad input posted in the channel: %q", m.Text)
		}
	}
}

func TestNotInChannelAnswersThroughResponseURL(t *testing.T) {
	w := newWorld(t)
	const private = "CPRIVATE"
	w.slack.FailChannel(private, "not_in_channel")
	w.runIn(private, deployer, "launch web --image nginx")
	w.waitMessage("live URL through response_url", func(m slacktestMessage) bool {
		return m.Method == "response_url" && strings.Contains(m.Text, "is live at https://")
	})
	// Private answers fall back too.
	w.runIn(private, stranger, "launch api --image nginx")
	w.waitMessage("refusal through response_url", func(m slacktestMessage) bool {
		return m.Method == "response_url" && strings.Contains(m.Text, "needs the deployer role")
	})
}

func TestDigitalOceanErrorShowsMessageAndRequestID(t *testing.T) {
	w := newWorld(t)
	w.do.Fault("POST /v2/apps", 422, 1)
	w.run(deployer, "launch web --image nginx")
	head := w.launchHead("web")
	m := w.waitThread(head.TS, "DigitalOcean said")
	if !strings.Contains(m.Text, "request id") || !strings.Contains(m.Text, "422") {
		t.Errorf("error reply %q; want DigitalOcean's message, status and request id", m.Text)
	}
}

func TestTokensNeverLeak(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(stranger, "launch xy --image nginx")
	w.waitEphemeral(stranger, "needs")
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("bot exit after SIGTERM: %v\n%s", err, w.logs)
	}
	assertNoTokens(t, "bot log", w.logs.String())
	for _, m := range w.slack.Messages() {
		assertNoTokens(t, "Slack message", m.Text+string(m.Blocks))
	}
	db := readFile(t, w.dbPath)
	assertNoTokens(t, "database", db)
}

func TestSIGTERMExitsCleanlyWithinBudget(t *testing.T) {
	w := newWorld(t)
	w.run(viewer, "status")
	w.waitEphemeral(viewer, "no apps")
	start := time.Now()
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("exit after SIGTERM = %v; want success\n%s", err, w.logs)
	}
	t.Logf("stopped in %s", time.Since(start))
}

func TestBadConfigurationExitsWithOneLinePerProblem(t *testing.T) {
	cmd := exec.Command(botBinary)
	cmd.Env = []string{"SLACK_BOT_TOKEN=xoxp-" + "user-token-secret", "DO_REGION=moon1", "DO_IMAGE=Bad Image", "BOT_ADMINS=U1,bob", "DO_APP_NAME=X"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("bot started with bad configuration:\n%s", out)
	}
	text := string(out)
	for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DO_API_TOKEN", "DO_REGION", "DO_IMAGE", "BOT_ADMINS", "DO_APP_NAME"} {
		if !strings.Contains(text, name) {
			t.Errorf("output does not name %s:\n%s", name, text)
		}
	}
	if strings.Contains(text, "user-token-secret") {
		t.Errorf("output leaks the token value:\n%s", text)
	}
}

func TestRefusedSlackTokenEndsWithClearMessage(t *testing.T) {
	srv := newWorldServers(t)
	cmd := exec.Command(botBinary)
	cmd.Env = srv.envWith("SLACK_BOT_TOKEN=xoxb-wrong-secret")
	out, err := runWithTimeout(cmd, 20*time.Second)
	if err == nil {
		t.Fatalf("bot kept running with a refused token:\n%s", out)
	}
	if !strings.Contains(out, "SLACK_BOT_TOKEN") || strings.Contains(out, "xoxb-wrong-secret") {
		t.Errorf("output = %s; want it to name SLACK_BOT_TOKEN without its value", out)
	}
	cmd = exec.Command(botBinary)
	cmd.Env = srv.envWith("SLACK_APP_TOKEN=xapp-wrong-secret")
	out, err = runWithTimeout(cmd, 20*time.Second)
	if err == nil {
		t.Fatalf("bot kept running with a refused app token:\n%s", out)
	}
	if !strings.Contains(out, "SLACK_APP_TOKEN") || strings.Contains(out, "xapp-wrong-secret") {
		t.Errorf("output = %s; want it to name SLACK_APP_TOKEN without its value", out)
	}
}
