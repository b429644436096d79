package domainview_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/domainview"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
	"dobot/store"
)

// replies records the thread replies of a follow; nothing else is called.
type replies struct {
	chat.Chat
	got []chat.Message
}

func (r *replies) Reply(_ context.Context, _ chat.Ref, m chat.Message) (chat.Ref, error) {
	r.got = append(r.got, m)
	return chat.Ref{}, nil
}

func TestFollowsStartOnceAndStop(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	c := &replies{}
	var ran []dobot.Operation
	f := domainview.Follows{Ops: &ops.Engine{Store: db, Now: now, Log: log}, Store: db, Now: now, Log: log,
		Run: func(_ string, op dobot.Operation, _ *progress.Reporter) { ran = append(ran, op) },
		Reporter: func(op dobot.Operation) *progress.Reporter {
			return progress.New(c, log, op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, "")
		}}
	parent := dobot.Operation{ID: 7, Action: "domains", App: "web", Requester: "U0ANA", Card: dobot.Card{Channel: "C1", MessageTS: "1.5"}}

	f.Start(ctx, parent, "example.com")
	f.Start(ctx, parent, "example.com") // already followed: goes on alone
	if len(ran) != 1 {
		t.Fatalf("two starts ran %d follows; want 1", len(ran))
	}
	op := ran[0]
	if op.Action != domainview.FollowAction || op.Lock != "domain:web:example.com" || op.State != dobot.OpRunning || op.MessageTS != "1.5" {
		t.Errorf("follow = %+v; want a running domains.follow locking the domain, in the change's thread", op)
	}
	if got := domainview.What(op); got != "follow the certificate of example.com on web" {
		t.Errorf("What = %q", got)
	}

	m, err := f.Stop(ctx, "U0BEN", op)
	if err != nil || !strings.Contains(m.Text, "Stopped operation #") || !strings.Contains(m.Text, "example.com") {
		t.Fatalf("Stop = %q, %v; want it stopped", m.Text, err)
	}
	if len(c.got) != 1 || !strings.Contains(c.got[0].Text, "stopped the bot's following") || !strings.Contains(c.got[0].Text, chat.Mention("U0BEN")) {
		t.Errorf("thread replies = %+v; want one naming who stopped it", c.got)
	}
	var ue *reply.UserError
	if _, err := f.Stop(ctx, "U0BEN", op); !errors.As(err, &ue) || !strings.Contains(ue.Msg, "is already canceled") {
		t.Errorf("second Stop error = %v; want a user error: already canceled", err)
	}
}
