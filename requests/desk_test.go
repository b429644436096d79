package requests_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/internal/storetest"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
	"dobot/requests"
	"dobot/store"
)

// board is a chat that records messages by ref; it refuses the channel
// "closed" as Slack refuses one the bot is not in.
type board struct {
	mu      sync.Mutex
	n       int
	msgs    map[string]chat.Message // by ID: the latest version
	replies []string
}

func (c *board) Post(_ context.Context, ch string, m chat.Message) (chat.Ref, error) {
	if ch == "closed" {
		return chat.Ref{}, fmt.Errorf("%w: not_in_channel", chat.ErrCannotPost)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	id := fmt.Sprint(c.n)
	c.msgs[id] = m
	return chat.Ref{Channel: ch, ID: id}, nil
}
func (c *board) Reply(_ context.Context, p chat.Ref, m chat.Message) (chat.Ref, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.replies = append(c.replies, p.ID+": "+chat.Plain(m.Text))
	return chat.Ref{Channel: p.Channel, ID: "r"}, nil
}
func (c *board) Update(_ context.Context, r chat.Ref, m chat.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs[r.ID] = m
	return nil
}
func (c *board) Ephemeral(context.Context, string, string, chat.Message) error { return nil }
func (c *board) Respond(context.Context, string, chat.Message) error           { return nil }
func (c *board) Upload(context.Context, chat.Ref, string, string, string) error {
	return nil
}
func (c *board) UploadDirect(context.Context, string, string, string, string) error { return nil }
func (c *board) Permalink(context.Context, chat.Ref) (string, error)                { return "", nil }

func (c *board) card(id string) chat.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.msgs[id]
}

type desk struct {
	*requests.Desk
	db      *store.DB
	chat    *board
	started []int64
	log     *slog.Logger
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	db := storetest.Open(t)
	d := &desk{db: db, chat: &board{msgs: map[string]chat.Message{}}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	approvals := &ops.Approvals{Store: db, Now: time.Now, StateText: requests.StateText, Scrub: func(*dobot.Operation) {},
		RequesterAllowed: func(context.Context, dobot.Operation) (string, error) { return "", nil }}
	engine := &ops.Engine{Store: db, Now: time.Now, ApprovalTTL: time.Hour, Log: d.log, Scrub: func(*dobot.Operation) {}}
	d.Desk = requests.New(requests.Deps{Store: db, Chat: d.chat, Approvals: approvals, Finish: engine.Finish,
		Head: func(op dobot.Operation) (chat.Message, bool) {
			return chat.Message{Title: "running " + op.Action}, true
		},
		Reporter: func(op dobot.Operation) *progress.Reporter {
			return progress.New(d.chat, d.log, op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, "")
		},
		Start:  func(_ string, op dobot.Operation, _ *progress.Reporter) { d.started = append(d.started, op.ID) },
		Record: func(ctx context.Context, e dobot.AuditEntry) error { _, err := db.AppendAudit(ctx, e); return err },
		Mirror: func(dobot.AuditEntry) {},
		Log:    d.log,
	})
	return d
}

// request stores a teardown waiting for its card, as the engine opens one.
func (d *desk) request(t *testing.T, channel string) dobot.Operation {
	t.Helper()
	op, err := d.db.CreateOperation(context.Background(), dobot.Operation{Action: "teardown", App: "web", State: dobot.OpRequested,
		Requester: "U0REQ", Reason: "moved <!here>", Card: dobot.Card{Channel: channel}, Approval: dobot.Approval{ExpiresAt: time.Now().Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestPostShowsTheCardThenWaits(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	op, err := d.Post(ctx, d.request(t, "C1"), []chat.Field{{Label: "App", Value: "web"}}, "tear down web")
	if err != nil {
		t.Fatal(err)
	}
	if op.State != dobot.OpAwaitingApproval || op.MessageTS == "" {
		t.Fatalf("posted request = %+v; want it waiting, with its card recorded", op)
	}
	card := d.chat.card(op.MessageTS)
	if len(card.Buttons) != 2 || card.Buttons[0].ActionID != requests.ClickApprove || card.Buttons[1].ActionID != requests.ClickDeny {
		t.Errorf("card buttons = %+v; want Approve and Deny", card.Buttons)
	}
	if reason := card.Fields[1].Value; reason != "moved <!here>" {
		t.Errorf("reason field = %q; want the reason as typed (the adapter escapes it)", reason)
	}
	rows, err := d.db.Audit(ctx, dobot.AuditFilter{Action: "approval.request"})
	if err != nil || len(rows) != 1 {
		t.Errorf("approval.request rows = %v, %v; want one", rows, err)
	}
}

func TestPostWhereTheBotCannotPostCancels(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	op := d.request(t, "closed")
	_, err := d.Post(ctx, op, nil, "tear down web")
	var ue *reply.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "invite the bot") {
		t.Fatalf("Post in a closed channel = %v; want a user error asking to invite the bot", err)
	}
	if got, err := d.db.Operation(ctx, op.ID); err != nil || got.State != dobot.OpCanceled {
		t.Errorf("request = %+v, %v; want it canceled", got, err)
	}
}

func TestApprovalStartsTheActionOnItsCard(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	op, err := d.Post(ctx, d.request(t, "C1"), nil, "tear down web")
	if err != nil {
		t.Fatal(err)
	}
	// The requester cannot approve their own request.
	_, err = d.Decide(ctx, requests.Decision{RequestID: op.ID, Approve: true, Who: requests.Who{UserID: "U0REQ", ChannelID: "C1"}, Card: op.MessageTS})
	var ue *reply.UserError
	if !errors.As(err, &ue) || len(d.started) != 0 {
		t.Fatalf("self-approval = %v, started %v; want a refusal and nothing started", err, d.started)
	}
	decided, err := d.Decide(ctx, requests.Decision{RequestID: op.ID, Approve: true, Who: requests.Who{UserID: "U0APP", ChannelID: "C1"}, Card: op.MessageTS})
	if err != nil || decided.Decider != "U0APP" {
		t.Fatalf("approve = %+v, %v", decided, err)
	}
	if len(d.started) != 1 || d.started[0] != op.ID {
		t.Errorf("started = %v; want request %d", d.started, op.ID)
	}
	if card := d.chat.card(op.MessageTS); card.Title != "running teardown" || len(card.Buttons) != 0 {
		t.Errorf("card after approval = %+v; want the action's own head, without buttons", card)
	}
}

func TestDenialShowsOnTheCardAndInTheThread(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	op, err := d.Post(ctx, d.request(t, "C1"), nil, "tear down web")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decide(ctx, requests.Decision{RequestID: op.ID, Reason: "not today", Who: requests.Who{UserID: "U0APP"}}); err != nil {
		t.Fatal(err)
	}
	card := d.chat.card(op.MessageTS)
	if !strings.HasPrefix(card.Title, chat.IconDenied) || !strings.Contains(chat.Plain(card.Footer), "Denied by @U0APP") || len(card.Buttons) != 0 {
		t.Errorf("denied card = %q / %q, %d buttons; want the denial without buttons", card.Title, chat.Plain(card.Footer), len(card.Buttons))
	}
	if want := op.MessageTS + ": " + chat.IconDenied + " @U0APP denied request"; len(d.chat.replies) != 1 || !strings.HasPrefix(d.chat.replies[0], want) {
		t.Errorf("thread = %q; want %q…", d.chat.replies, want)
	}
	if len(d.started) != 0 {
		t.Errorf("a denied request started")
	}
}
