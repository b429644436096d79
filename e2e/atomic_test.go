package e2e

import (
	"net/url"
	"strings"
	"testing"

	"dobot/internal/slacktest"
)

// TestTeardownTheInstantLaunchIsLive types a teardown while Slack has just
// shown the launch as live and the bot is still waiting for Slack to
// confirm that update: the launch must already be finished in the store,
// so the teardown is taken (it waits for approval), not refused as busy.
func TestTeardownTheInstantLaunchIsLive(t *testing.T) {
	w := newWorld(t)
	release := w.slack.Hold(func(method string, form url.Values) bool {
		return method == "chat.update" && strings.Contains(form.Get("blocks"), "web is live")
	})
	defer release()
	w.run(deployer, "launch web --image nginx:1.27")
	head := w.launchHead("web")
	w.waitMessage("the launch card showing web live", func(m slacktest.Message) bool {
		return m.Method == "chat.update" && m.TS == head.TS && strings.Contains(string(m.Blocks), "web is live")
	})

	w.run(deployer, "teardown web")
	answer := w.waitMessage("an answer to the teardown", func(m slacktest.Message) bool {
		return (m.Method == "chat.postEphemeral" && m.User == deployer && strings.Contains(m.Text, "busy")) ||
			(m.Method == "chat.postMessage" && strings.Contains(m.Text, "Request #") && strings.Contains(m.Text, "tear down web"))
	})
	if strings.Contains(answer.Text, "busy") {
		t.Fatalf("teardown typed as web went live was refused: %q", answer.Text)
	}
	release()
	w.waitThread(head.TS, "is live at https://")
}
