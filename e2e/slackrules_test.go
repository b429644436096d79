package e2e

import (
	"context"
	"io"
	"net/http"
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

func TestHealthzSaysReconnectingWhileSlackIsDown(t *testing.T) {
	addr := freeAddr(t)
	w := newWorld(t, withEnv("BOT_HTTP_ADDR="+addr))
	if body := get(t, "http://"+addr+"/healthz", http.StatusOK); !strings.Contains(body, `"slack":"connected"`) {
		t.Fatalf("/healthz = %s; want slack connected", body)
	}
	// The socket drops and Slack will not hand out a new one for a while.
	w.slack.RateLimit("apps.connections.open", 1000, time.Minute)
	w.slack.DropConnection()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `"slack":"reconnecting"`) {
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("/healthz while reconnecting = %d; want 503", resp.StatusCode)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/healthz never said reconnecting; last %d %s\n%s", resp.StatusCode, b, w.logs)
		case <-tick.C:
		}
	}
}
