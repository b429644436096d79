package auditlog_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"dobot"
	"dobot/auditlog"
	"dobot/chat"
	"dobot/internal/chatfake"
	"dobot/internal/storetest"
	"dobot/store"
)

// open returns a trail on a real store and a chat board, with its
// background work run at once and counted.
func open(t *testing.T, channel string) (*auditlog.Trail, *store.DB, *chatfake.Board, *sync.WaitGroup) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	board := &chatfake.Board{}
	var wg sync.WaitGroup
	run := func(_ string, fn func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); fn(ctx) }()
	}
	return auditlog.New(auditlog.Deps{Store: db, Chat: board, Channel: channel, Go: run}), db, board, &wg
}

// TestRecordStoresPlainTextAndMirrorsChanges: a row is stored with its
// tokens as text, and only changes and decisions reach the audit channel.
func TestRecordStoresPlainTextAndMirrorsChanges(t *testing.T) {
	ctx := context.Background()
	trail, db, board, wg := open(t, "CAUDIT")
	rows := []dobot.AuditEntry{
		{UserID: "U1", Action: "launch", Target: "web", Decision: "allowed", Outcome: "started"},
		{UserID: "U1", Action: "launch", Target: "web", Decision: "allowed", Outcome: "ok", Details: "see " + chat.Link("https://example.com/x", "the card")},
		{UserID: "U1", Action: "status", Target: "web", Decision: "allowed", Outcome: "ok"},
	}
	for _, e := range rows {
		if err := trail.Record(ctx, e); err != nil {
			t.Fatalf("Record(%+v) = %v", e, err)
		}
	}
	wg.Wait()
	stored, err := db.Audit(ctx, dobot.AuditFilter{Action: "launch"})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, r := range stored {
		details = append(details, r.Details)
	}
	if !strings.Contains(strings.Join(details, "|"), "see the card (https://example.com/x)") {
		t.Errorf("stored details = %q; want the link stored as text", details)
	}
	sent := board.Sent()
	if len(sent) != 1 || sent[0].To != "CAUDIT" || !strings.Contains(sent[0].Text(), "launch") {
		t.Errorf("audit channel got %+v; want one line, for the finished launch", sent)
	}
}

// TestNoChannelNoMirror: without an audit channel nothing is posted.
func TestNoChannelNoMirror(t *testing.T) {
	trail, _, board, wg := open(t, "")
	if err := trail.Record(context.Background(), dobot.AuditEntry{UserID: "U1", Action: "grant", Decision: "allowed", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if sent := board.Sent(); len(sent) != 0 {
		t.Errorf("posted %+v with no audit channel; want nothing", sent)
	}
}

// TestFirstStopsARedelivery: the first row of an envelope seen before
// says not to go on; a new envelope goes on.
func TestFirstStopsARedelivery(t *testing.T) {
	trail, db, _, wg := open(t, "")
	defer wg.Wait()
	log := slog.New(slog.DiscardHandler)
	e := dobot.AuditEntry{UserID: "U1", Action: "status", Decision: "allowed", Outcome: "started"}
	ctx := store.WithEnvelope(context.Background(), "cmd:1", "", "U1", "C1")
	if !trail.First(ctx, log, e) {
		t.Fatal("First on a new envelope = false; want true")
	}
	again := store.WithEnvelope(context.Background(), "cmd:1", "", "U1", "C1")
	if trail.First(again, log, e) {
		t.Error("First on a redelivered envelope = true; want false")
	}
	rows, err := db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil || len(rows) != 1 {
		t.Errorf("audit rows = %d, %v; want 1", len(rows), err)
	}
}
