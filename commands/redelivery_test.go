package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
	"dobot/secrets"
	"dobot/store"
)

// TestRedeliveredEnvelopeRunsAndAnswersOnce: the listener hands each
// command to the bot under store.WithEnvelope, and the store records the
// envelope with the command's first audit row. A redelivery of the same
// envelope (after a restart, or to another replica) is neither run nor
// answered, whichever way the first delivery ended: run, refused or
// invalid, typed or clicked.
func TestRedeliveredEnvelopeRunsAndAnswersOnce(t *testing.T) {
	tests := []struct {
		name, user, text string
		click            string // an action id: a click instead of a command
		want             string // in the first delivery's answer
	}{
		{name: "allowed", user: "UADMIN", text: "status", want: "manages no apps"},
		{name: "refused", user: "UNOBODY", text: "launch web --image nginx", want: "needs the"},
		{name: "invalid", user: "UADMIN", text: "frobnicate", want: "frobnicate"},
		{name: "too long", user: "UADMIN", text: "status " + strings.Repeat("x", secrets.MaxCommandText), want: "limit"},
		{name: "unknown button", user: "UADMIN", click: "no_such_button", want: "not one the bot knows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.grant(t, "UADMIN", dobot.RoleAdmin)
			deliver := func() {
				ctx := store.WithEnvelope(context.Background(), "cmd:trigger-"+tt.name, "https://hooks.example/x", tt.user, "C1")
				if tt.click != "" {
					h.bot.HandleClick(ctx, commands.Click{Ref: "E1", UserID: tt.user, ChannelID: "C1", MessageTS: "1700000000.000001", ActionID: tt.click, Value: "1"})
					return
				}
				h.bot.Handle(ctx, commands.Request{Ref: "E1", UserID: tt.user, ChannelID: "C1", Text: tt.text, ResponseURL: "https://hooks.example/x"})
			}
			deliver()
			if got := h.chat.lastEphemeral(tt.user); !strings.Contains(got, tt.want) {
				t.Fatalf("first delivery answered %q; want it to contain %q", got, tt.want)
			}
			h.chat.mu.Lock()
			answers := len(h.chat.sent)
			h.chat.mu.Unlock()
			rows, err := h.db.AuditCount(context.Background())
			if err != nil {
				t.Fatal(err)
			}

			deliver()
			h.chat.mu.Lock()
			again := h.chat.sent[answers:]
			h.chat.mu.Unlock()
			if len(again) != 0 {
				t.Errorf("the redelivery sent %d message(s), first %q; want none", len(again), again[0].Msg.Text)
			}
			if n, err := h.db.AuditCount(context.Background()); err != nil || n != rows {
				t.Errorf("audit rows after the redelivery = %d, %v; want %d (unchanged)", n, err, rows)
			}
			if _, err := h.db.VerifyAudit(context.Background()); err != nil {
				t.Errorf("VerifyAudit = %v", err)
			}
		})
	}
}
