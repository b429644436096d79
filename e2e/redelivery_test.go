package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"dobot/internal/slacktest"
)

// waitLog waits until the bot's output contains text.
func (w *world) waitLog(text string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(w.logs.String(), text) {
		select {
		case <-ctx.Done():
			w.t.Fatalf("bot never logged %q\n%s", text, w.logs)
		case <-tick.C:
		}
	}
}

func TestLateAckedLaunchRunsOnce(t *testing.T) {
	w := newWorld(t)
	// The bot's ack is lost, as if it came after Slack's 3 seconds: Slack
	// sends the command again in a new envelope with retry_attempt 1.
	w.slack.LoseAcks(1)
	env := w.run(deployer, "launch web --image nginx") // returns once the redelivery is acked
	for _, a := range w.slack.Acks() {
		if a.FirstEnvelopeID == env && a.RetryAttempt != 1 {
			t.Fatalf("ack %+v; want only the redelivery acked", a)
		}
	}
	w.waitLog("skipping a redelivered command")
	head := w.launchHead("web")
	w.waitThread(head.TS, "is live at https://")

	var cards []slacktest.Message
	for _, m := range w.slack.Messages() {
		if m.Method == "chat.postMessage" && m.ThreadTS == "" && strings.Contains(m.Text, "launching web") {
			cards = append(cards, m)
		}
		if strings.Contains(m.Text, "busy") || strings.Contains(m.Text, "already") {
			t.Errorf("the redelivery was answered: %s %q", m.Method, m.Text)
		}
	}
	if len(cards) != 1 {
		t.Errorf("%d launch cards; want 1 for a command delivered twice%s", len(cards), dumpMessages(w.slack.Messages()))
	}
	if n := len(w.do.Apps()); n != 1 {
		t.Errorf("%d apps created; want 1", n)
	}
}
