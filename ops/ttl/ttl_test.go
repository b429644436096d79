package ttl_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/internal/chatfake"
	"dobot/internal/storetest"
	"dobot/ops/ttl"
	"dobot/progress"
	"dobot/reply"
	"dobot/store"
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	*ttl.TTL
	db      *store.DB
	board   *chatfake.Board
	held    bool
	started []dobot.Operation
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{db: db, board: &chatfake.Board{}}
	f.TTL = ttl.New(ttl.Deps{Store: db, Chat: f.board, Now: func() time.Time { return now }, Log: log, MaxTTL: 24 * time.Hour,
		ManagedApp: db.App,
		Held:       func(context.Context, dobot.App) bool { return f.held },
		Notice: func(ctx context.Context, app dobot.App, m chat.Message) {
			_, _ = f.board.Reply(ctx, chat.Ref{Channel: app.Channel, ID: app.ThreadTS}, m)
		},
		Home: func(_ context.Context, app dobot.App) (string, string) { return app.Channel, app.ThreadTS },
		Reporter: func(op dobot.Operation) *progress.Reporter {
			return progress.New(f.board, log, op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, "")
		},
		StartRouted: func(context.Context, *dobot.Operation, *progress.Reporter) {},
		Start:       func(_ string, op dobot.Operation, _ *progress.Reporter) { f.started = append(f.started, op) },
		Audit:       func(ctx context.Context, e dobot.AuditEntry) { _, _ = db.AppendAudit(ctx, e) }})
	return f
}

// app stores web, launched two hours ago by U0OWN and expiring at expires.
func (f *fixture) app(t *testing.T, expires time.Time) dobot.App {
	t.Helper()
	a := dobot.App{Name: "web", Kind: deploy.KindApp, ResourceID: "app-1", Owner: "U0OWN", Channel: "C1", ThreadTS: "launch-1",
		CreatedAt: now.Add(-2 * time.Hour), Expiry: dobot.Expiry{ExpiresAt: expires}}
	if err := f.db.PutApp(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestExpireTearsDownForTheOwner(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.Expire(ctx, f.app(t, now.Add(-time.Minute)))
	if len(f.started) != 1 {
		t.Fatalf("started %d operations; want the teardown", len(f.started))
	}
	op := f.started[0]
	if op.Action != deploy.ActionTeardown || op.Requester != "U0OWN" || op.RequesterName != "dobot for U0OWN" || op.ResourceID != "app-1" {
		t.Errorf("teardown = %+v; want the owner's teardown of app-1, named for the bot", op)
	}
	rows, _ := f.db.Audit(ctx, dobot.AuditFilter{Action: "ttl.expired"})
	if len(rows) != 1 || rows[0].UserID != ttl.BotUser || rows[0].Outcome != "teardown" {
		t.Errorf("ttl.expired rows = %+v; want one by the bot", rows)
	}
	// The retry is pushed back: the next tick does not start another.
	app, _ := f.db.App(ctx, "web")
	f.Expire(ctx, app)
	if len(f.started) != 1 {
		t.Errorf("a second tick started %d teardowns; want still one", len(f.started))
	}
}

func TestExpireWaitsForALock(t *testing.T) {
	f := newFixture(t)
	f.held = true
	f.Expire(context.Background(), f.app(t, now.Add(-time.Minute)))
	if len(f.started) != 0 {
		t.Errorf("a locked app's expiry started %d teardowns; want none", len(f.started))
	}
}

func TestRemindOnceWithButtons(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	app := f.app(t, now.Add(10*time.Minute))
	f.Remind(ctx, app)
	sent := f.board.Find("will then be torn down")
	if len(sent) != 1 || len(sent[0].Msg.Buttons) != 2 || sent[0].Msg.Buttons[0].ActionID != ttl.ClickExtend {
		t.Fatalf("reminders = %+v; want one with Extend and Destroy now", sent)
	}
	if got, _ := f.db.App(ctx, "web"); !got.Reminded {
		t.Error("the reminder was not recorded")
	}
}

func TestExtend(t *testing.T) {
	ctx := context.Background()
	owner := ttl.Who{UserID: "U0OWN", Role: dobot.RoleDeployer}
	t.Run("owner", func(t *testing.T) {
		f := newFixture(t)
		f.app(t, now.Add(time.Hour))
		m, err := f.Extend(ctx, owner, "web", 2*time.Hour)
		if err != nil || m != nil {
			t.Fatalf("Extend = %v, %v; want it said in the launch thread", m, err)
		}
		if got, _ := f.db.App(ctx, "web"); !got.ExpiresAt.Equal(now.Add(3 * time.Hour)) {
			t.Errorf("expiry = %s; want three hours from now", got.ExpiresAt)
		}
	})
	t.Run("another deployer", func(t *testing.T) {
		f := newFixture(t)
		f.app(t, now.Add(time.Hour))
		_, err := f.Extend(ctx, ttl.Who{UserID: "U0ELSE", Role: dobot.RoleDeployer}, "web", time.Hour)
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "you are a deployer") {
			t.Errorf("Extend(not the owner) = %v; want a refusal naming the role", err)
		}
	})
	t.Run("past the cap", func(t *testing.T) {
		f := newFixture(t)
		f.app(t, now.Add(time.Hour))
		_, err := f.Extend(ctx, owner, "web", 23*time.Hour)
		if err == nil || !strings.Contains(err.Error(), "BOT_MAX_TTL caps") {
			t.Errorf("Extend(past the cap) = %v; want BOT_MAX_TTL named", err)
		}
	})
}
