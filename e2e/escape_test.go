package e2e

import (
	"strings"
	"testing"
)

func TestUserTextCannotPingOrLink(t *testing.T) {
	const auditChannel = "CAUDIT1"
	const evil = `<!channel> <https://evil.example|Open the app>`
	w := newWorld(t, withEnv("BOT_AUDIT_CHANNEL="+auditChannel))
	w.launchLive("web", "nginx")

	w.run(deployer, `teardown web --reason "`+evil+`"`)
	card := w.approvalCard("teardown web")
	if !strings.Contains(unescapeJSON(card.Blocks), "&lt;!channel&gt;") {
		t.Errorf("approval card does not show the reason escaped: %s", unescapeJSON(card.Blocks))
	}
	w.run(approver, "deny "+requestID(t, card)+" "+evil)
	w.waitThread(card.TS, "Reason:")
	w.waitCard(card, "Denied by <@"+approver+">")
	w.waitMessage("audit line of the denial", func(m slacktestMessage) bool {
		return m.Channel == auditChannel && strings.Contains(m.Text, "denied")
	})

	// A person with no role, through commands that fail to parse.
	w.run(stranger, `launch `+evil+` more words`)
	w.waitEphemeral(stranger, "launch takes one app name")
	w.run(stranger, `teardown "`+evil)
	w.waitEphemeral(stranger, "could not split")
	w.waitMessage("audit line of the stranger's try", func(m slacktestMessage) bool {
		return m.Channel == auditChannel && strings.Contains(m.Text, "<@"+stranger+"> tried `launch` (refused: bad input)")
	})

	traffic := w.slackTraffic()
	for _, bad := range []string{"<!channel>", "<https://evil", "<!channel&gt;", "&lt;https://evil.example|Open the app>"} {
		if strings.Contains(traffic, bad) {
			t.Errorf("Slack got %q", bad)
		}
	}
	for _, m := range w.slack.Messages() {
		if m.Channel == auditChannel && strings.Contains(m.Text, "evil.example") && strings.Contains(m.Text, stranger) {
			t.Errorf("the audit channel shows the stranger's text: %q", m.Text)
		}
	}
}
