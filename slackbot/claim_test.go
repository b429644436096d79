package slackbot

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"dobot"
	"dobot/commands"
	"dobot/internal/slacktest"
	"dobot/store"
)

// claimChecked claims every envelope with a check against the database.
func claimChecked(ctx context.Context, e Envelope) context.Context {
	return store.WithEnvelope(ctx, e.Key, e.ResponseURL, e.UserID, e.ChannelID)
}

// claimAsTheBotDoes is cmd/bot's claim: a first delivery may be journaled.
func claimAsTheBotDoes(ctx context.Context, e Envelope) context.Context {
	if e.Redelivered {
		return store.WithEnvelope(ctx, e.Key, e.ResponseURL, e.UserID, e.ChannelID)
	}
	return store.WithNewEnvelope(ctx, e.Key, e.ResponseURL, e.UserID, e.ChannelID)
}

// TestClaimSaysWhichDeliveryIsARetry: the claim is told that an envelope
// Slack marks with a retry_attempt is a redelivery, and that a first
// delivery is not. (Through a server, the listener's memory of recent
// keys would skip the retry before its claim.)
func TestClaimSaysWhichDeliveryIsARetry(t *testing.T) {
	l := NewListener(slack.New("xoxb-test-bot"), nil, &countingHandler{commands: map[string]int{}}, 1, slog.New(slog.DiscardHandler))
	var got Envelope
	l.ClaimWith(func(ctx context.Context, e Envelope) context.Context { got = e; return ctx })
	for _, attempt := range []int{0, 1, 3} {
		trigger := fmt.Sprintf("1334.7384.%d", attempt)
		l.onEvent(socketmode.Event{Type: socketmode.EventTypeSlashCommand,
			Data:    slack.SlashCommand{Command: "/do", Text: "status", UserID: "U1", ChannelID: "C1", TriggerID: trigger},
			Request: &socketmode.Request{Type: "slash_commands", EnvelopeID: fmt.Sprintf("E%d", attempt), RetryAttempt: attempt}})
		select {
		case j := <-l.jobs.queue:
			l.run(context.Background(), j)
		case <-time.After(waitFor):
			t.Fatalf("retry_attempt %d: no job queued", attempt)
		}
		if got.Key != "cmd:"+trigger || got.Redelivered != (attempt > 0) {
			t.Errorf("retry_attempt %d: claimed %+v; want key cmd:%s, Redelivered %v", attempt, got, trigger, attempt > 0)
		}
	}
}

// TestJournaledCommandIsSkippedAfterARestart: a read-only command's row
// goes to the journal; delivered again to a restarted listener, unmarked
// as a retry (a server not following Slack), it is still skipped, since
// the listener starts with the keys handled last.
func TestJournaledCommandIsSkippedAfterARestart(t *testing.T) {
	dbPath := t.TempDir() + "/bot.db"
	asTheBot := func(l *Listener, db *store.DB) {
		l.ClaimWith(claimAsTheBotDoes)
		l.RememberHandled(db.MarkHandled)
		keys, err := db.RecentHandledKeys(context.Background(), RecentKeys)
		if err != nil {
			t.Fatal(err)
		}
		l.RememberKeys(keys)
	}
	cmd := slack.SlashCommand{Text: "status", UserID: "U1", ChannelID: "C1", TriggerID: "13345224609.738474920.8088930838d88f008e1"}
	deliver := func() int {
		w := startListenerWith(t, slacktest.Options{}, dbPath, nil, asTheBot)
		w.handler.onCommand = func(ctx context.Context, req commands.Request) {
			if req.Text == "status" {
				if err := w.db.JournalAudit(ctx, dobot.AuditEntry{UserID: req.UserID, Action: "status", Decision: "allowed", Outcome: "started"}); err != nil {
					t.Errorf("JournalAudit = %v", err)
				}
			}
		}
		if _, err := w.srv.SlashCommand(cmd); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
		w.handler.mu.Lock()
		ran := w.handler.commands["status"]
		w.handler.mu.Unlock()
		w.stop()
		runErr := <-w.done
		w.done <- runErr // for the cleanup, which waits on it too
		w.db.Close()
		return ran
	}
	if ran := deliver(); ran != 1 {
		t.Fatalf("first delivery ran %d times; want 1", ran)
	}
	if ran := deliver(); ran != 0 {
		t.Errorf("the same command after a restart ran %d times; want 0", ran)
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.AuditCount(context.Background()); err != nil || n != 1 {
		t.Errorf("audit rows = %d, %v; want 1", n, err)
	}
}
