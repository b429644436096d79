package requests_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/internal/chatfake"
	"dobot/internal/storetest"
	"dobot/requests"
)

// Approvers are reminded once of a request about to expire, in its card's
// thread, by name; the requester is not asked to decide their own.
func TestReminderRemindsApproversOnce(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	defer db.Close()
	for id, role := range map[string]dobot.Role{"U0REQ": dobot.RoleApprover, "U0APP": dobot.RoleApprover, "U0ADM": dobot.RoleAdmin} {
		if err := db.SetRole(ctx, id, role, "test"); err != nil {
			t.Fatal(err)
		}
	}
	expires := time.Now().Add(time.Hour)
	op, err := db.CreateOperation(ctx, dobot.Operation{Action: "teardown", App: "web", State: dobot.OpAwaitingApproval, Requester: "U0REQ",
		Card: dobot.Card{Channel: "C1", MessageTS: "card-1"}, Approval: dobot.Approval{ExpiresAt: expires}})
	if err != nil {
		t.Fatal(err)
	}
	board := &chatfake.Board{}
	at := op.ExpiresAt.Add(-20 * time.Minute)
	r := &requests.Reminder{Store: db, Chat: board, Now: func() time.Time { return at }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	r.Remind(ctx)
	if n := len(board.Sent()); n != 0 {
		t.Fatalf("%d reminders 20 minutes before expiry; want none before 15", n)
	}
	at = op.ExpiresAt.Add(-10 * time.Minute)
	r.Remind(ctx)
	r.Remind(ctx)
	sent := board.Sent()
	if len(sent) != 1 || sent[0].Call != "reply" || sent[0].To != "card-1" {
		t.Fatalf("reminders = %+v; want one, in the card's thread", sent)
	}
	text := sent[0].Text()
	if !strings.Contains(text, "@U0APP, @U0ADM") || strings.Contains(text, "@U0REQ,") {
		t.Errorf("reminder %q; want the approver and admin named, not the requester", text)
	}
}
