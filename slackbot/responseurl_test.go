package slackbot

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot/commands"
	"dobot/internal/slacktest"
	"dobot/internal/testclock"
	"dobot/store"
)

// testClock is a clock shared by the Slack test server and the store.
type testClock = testclock.Clock

// refusedResponses counts response_url posts Slack refused.
func refusedResponses(srv *slacktest.Server) int {
	n := 0
	for _, c := range srv.Calls() {
		if c.Method == "response_url" && c.Error != "" {
			n++
		}
	}
	return n
}

func TestSixthAnswerGoesByDirectMessage(t *testing.T) {
	w := startListener(t, slacktest.Options{})
	errs := make(chan error, 7)
	w.handler.mu.Lock()
	w.handler.onCommand = func(ctx context.Context, req commands.Request) {
		if req.Text != "status" {
			return
		}
		for i := range 7 {
			errs <- w.chat.Respond(ctx, req.ResponseURL, commands.Message{Text: "answer " + string(rune('1'+i))})
		}
	}
	w.handler.mu.Unlock()
	if _, err := w.srv.SlashCommand(slack.SlashCommand{Text: "status", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		select {
		case err := <-errs:
			if err != nil {
				t.Errorf("answer %d: %v", i+1, err)
			}
		case <-w.ctx.Done():
			t.Fatal("answers not sent")
		}
	}
	var viaURL, direct int
	for _, m := range w.srv.Messages() {
		switch {
		case m.Method == "response_url":
			viaURL++
		case m.Method == "chat.postMessage" && m.Channel == "U1":
			direct++
			if !strings.Contains(string(m.Blocks), "reply link for your command is spent") {
				t.Errorf("direct message does not say why it came: %s", m.Blocks)
			}
		}
	}
	if viaURL != 5 || direct != 2 {
		t.Errorf("7 answers: %d through the response_url, %d by direct message; want 5 and 2", viaURL, direct)
	}
	if n := refusedResponses(w.srv); n != 0 {
		t.Errorf("Slack refused %d response_url posts; the bot should not try a spent URL", n)
	}
}

func TestExpiredResponseURLAfterRestartGoesByDirectMessage(t *testing.T) {
	clock := testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	dbPath := filepath.Join(t.TempDir(), "bot.db")
	w := startListenerAt(t, slacktest.Options{Now: clock.Now}, dbPath, clock.Now)
	id, err := w.srv.SlashCommand(slack.SlashCommand{Text: "launch web", UserID: "U1", ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.WaitAck(w.ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle(t) // the command ran, and its response_url is recorded
	var responseURL string
	w.handler.mu.Lock()
	for _, r := range w.handler.requests {
		if r.Text == "launch web" {
			responseURL = r.ResponseURL
		}
	}
	w.handler.mu.Unlock()

	// A restart: a fresh Chat over the same database, 31 minutes later.
	clock.Advance(31 * time.Minute)
	db, err := store.Open(w.ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = clock.Now
	api := slack.New("xoxb-test-bot", slack.OptionAPIURL(w.srv.APIURL()))
	chat := NewChat(api, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	chat.TrackResponseURLs(db)
	if err := chat.Respond(w.ctx, responseURL, commands.Message{Text: "web is live"}); err != nil {
		t.Fatalf("Respond on an expired URL = %v; want a direct message instead", err)
	}
	m, err := w.srv.WaitMessage(w.ctx, func(m slacktest.Message) bool { return m.Text == "web is live" })
	if err != nil {
		t.Fatal(err)
	}
	if m.Method != "chat.postMessage" || m.Channel != "U1" {
		t.Errorf("answer went by %s to %s; want chat.postMessage to U1", m.Method, m.Channel)
	}
	if n := refusedResponses(w.srv); n != 0 {
		t.Errorf("Slack refused %d response_url posts; the bot should not try an expired URL", n)
	}
}

func TestRefusedResponseURLFallsBackToDirectMessage(t *testing.T) {
	// Slack refuses a URL the store still counts as live (another tool used
	// it, or clocks differ): the answer still reaches the person.
	clock := testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	w := startListenerAt(t, slacktest.Options{Now: clock.Now}, filepath.Join(t.TempDir(), "bot.db"), nil)
	if _, err := w.srv.SlashCommand(slack.SlashCommand{Text: "status", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	w.handler.mu.Lock()
	responseURL := w.handler.requests[0].ResponseURL
	w.handler.mu.Unlock()
	clock.Advance(31 * time.Minute) // Slack's clock only
	if err := w.chat.Respond(w.ctx, responseURL, commands.Message{Text: "late answer"}); err != nil {
		t.Fatalf("Respond = %v", err)
	}
	m, err := w.srv.WaitMessage(w.ctx, func(m slacktest.Message) bool { return m.Text == "late answer" })
	if err != nil {
		t.Fatal(err)
	}
	if m.Method != "chat.postMessage" || m.Channel != "U1" {
		t.Errorf("answer went by %s to %s; want chat.postMessage to U1", m.Method, m.Channel)
	}
}
