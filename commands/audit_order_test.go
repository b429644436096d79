package commands_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dobot"
	"dobot/auditlog"
	"dobot/commands"
	"dobot/internal/dotest"
	"dobot/store"
)

// heldAudit is the store with its audit appends held back, as on a slow
// disk, and a flag that says when one has been stored.
type heldAudit struct {
	commands.Store
	stored    atomic.Bool
	journaled atomic.Int32  // rows that went through JournalAudit
	answered  chan struct{} // an answer went out (orderedChat)
}

func newHeldAudit() *heldAudit { return &heldAudit{answered: make(chan struct{}, 1)} }

func (h *heldAudit) AppendAudit(ctx context.Context, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	h.hold()
	got, err := h.Store.AppendAudit(ctx, e)
	if err == nil {
		h.stored.Store(true)
	}
	return got, err
}

// JournalAudit is held as AppendAudit is: a read-only command's row goes
// to the store's journal, and must be there before its answer goes out.
func (h *heldAudit) JournalAudit(ctx context.Context, e dobot.AuditEntry) error {
	h.hold()
	err := h.Store.(auditlog.Journaler).JournalAudit(ctx, e)
	if err == nil {
		h.stored.Store(true)
		h.journaled.Add(1)
	}
	return err
}

// hold waits until an answer goes out (the order is broken: the test
// fails on it) or for as long as a slow disk might take.
func (h *heldAudit) hold() {
	select {
	case <-h.answered:
	case <-time.After(300 * time.Millisecond):
	}
}

// orderedChat notes, at each message, whether the audit row was stored.
type orderedChat struct {
	*recordingChat
	held   *heldAudit
	before atomic.Int32 // messages sent before the row was stored
}

func (c *orderedChat) Ephemeral(ctx context.Context, channel, user string, m commands.Message) error {
	if !c.held.stored.Load() {
		c.before.Add(1)
	}
	select {
	case c.held.answered <- struct{}{}:
	default:
	}
	return c.recordingChat.Ephemeral(ctx, channel, user, m)
}

// TestReadOnlyAnswerWaitsForItsAuditRow: a read-only command's answer
// never reaches Slack before its "started" audit row is stored, however
// slow the write (a crash in between would leave an answer with no record
// of the command).
func TestReadOnlyAnswerWaitsForItsAuditRow(t *testing.T) {
	held := newHeldAudit()
	var oc *orderedChat
	h := startHarness(t, commands.Config{Region: "nyc3"}, dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond}, func(d *commands.Deps) {
		held.Store = d.Store
		d.Store = held
		oc = &orderedChat{recordingChat: d.Chat.(*recordingChat), held: held}
		d.Chat = oc
	})
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	// A redelivery's row is appended; a first delivery's is journaled.
	for i, withEnvelope := range []func(context.Context, string, string, string, string) context.Context{store.WithEnvelope, store.WithNewEnvelope} {
		for _, text := range []string{"status", "list", "help"} {
			held.stored.Store(false)
			ctx := withEnvelope(context.Background(), fmt.Sprintf("cmd:gate-%s-%d", text, i), "", "UADMIN", "C1")
			h.bot.Handle(ctx, commands.Request{Ref: "E-" + text, UserID: "UADMIN", ChannelID: "C1", Text: text})
			if got := h.chat.lastEphemeral("UADMIN"); got == "" {
				t.Fatalf("%s: no answer", text)
			}
		}
	}
	if n := held.journaled.Load(); n != 6 {
		t.Errorf("%d rows went through JournalAudit; want 6, one per read-only command", n)
	}
	if n := oc.before.Load(); n != 0 {
		t.Errorf("%d answer(s) reached Slack before their audit row was stored; want none", n)
	}
	rows, err := h.db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var started []string
	for _, r := range rows {
		if r.Outcome == "started" {
			started = append(started, r.Action)
		}
	}
	if got := strings.Join(started, ","); strings.Count(got, "status") != 2 || strings.Count(got, "help") != 2 {
		t.Errorf("started rows = %q; want one for each command", got)
	}
}

// TestAuditListsItsOwnRow: `/do audit` reads after its own row is
// stored, so its answer always includes that row, however slow the write.
func TestAuditListsItsOwnRow(t *testing.T) {
	held := newHeldAudit()
	h := startHarness(t, commands.Config{Region: "nyc3"}, dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond}, func(d *commands.Deps) {
		held.Store = d.Store
		d.Store = held
	})
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	ctx := store.WithNewEnvelope(context.Background(), "cmd:audit-own", "", "UADMIN", "C1")
	h.bot.Handle(ctx, commands.Request{Ref: "E-audit", UserID: "UADMIN", ChannelID: "C1", Text: "audit --action audit --limit 5"})
	if got := h.chat.lastEphemeral("UADMIN"); !strings.Contains(got, "audit · allowed · started") {
		t.Errorf("audit's answer lacks its own row:\n%s", got)
	}
}
