package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dobot"
	"dobot/commands"
	"dobot/internal/dotest"
	"dobot/internal/storetest"
	"dobot/internal/testclock"
	"dobot/store"
)

// errCrash is what crashStore panics with: the process "dies" at that point,
// and nothing the bot meant to do next happens.
const errCrash = "simulated crash"

// crashStore is the real store, except that it crashes right after the
// first write that moves an operation to crashOn: the change is committed,
// and the code after it never runs.
type crashStore struct {
	*store.DB
	crashOn dobot.OpState
	armed   atomic.Bool
}

func (s *crashStore) crashIf(op dobot.Operation, won bool) {
	if won && op.State == s.crashOn && s.armed.CompareAndSwap(true, false) {
		panic(errCrash)
	}
}

func (s *crashStore) Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error) {
	op, won, err := s.DB.Transition(ctx, id, from, to, mutate)
	s.crashIf(op, won)
	return op, won, err
}

func (s *crashStore) Decide(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation),
	entry func(dobot.Operation) dobot.AuditEntry) (dobot.Operation, bool, dobot.AuditEntry, error) {
	op, won, e, err := s.DB.Decide(ctx, id, from, to, mutate, entry)
	s.crashIf(op, won)
	return op, won, e, err
}

// testClock is a settable clock shared by the bot and the store.
type testClock = testclock.Clock

// runningBot is one run of the bot over a store file; stop ends it as a
// process exit would.
type runningBot struct {
	bot  *commands.Bot
	chat *recordingChat
	stop func()
}

func startBot(t *testing.T, st commands.Store, srv *dotest.Server, clock *testClock) *runningBot {
	t.Helper()
	var now func() time.Time
	if clock != nil {
		now = clock.Now
	}
	return startBotWith(t, st, srv, commands.Config{Region: "nyc3"}, now)
}

func (r *runningBot) run(user, text string) string {
	r.bot.Handle(context.Background(), commands.Request{Ref: "test", UserID: user, UserName: strings.ToLower(user), ChannelID: "C1", Text: text})
	return r.chat.lastEphemeral(user)
}

// TestDecisionCrashLeavesAuditAndResumeUpdatesCard crashes the bot right
// after a decision changes a request's state, for each kind of decision.
// The decision must already be in the audit, and the next start must
// update the request's card: no buttons, the decision shown.
func TestDecisionCrashLeavesAuditAndResumeUpdatesCard(t *testing.T) {
	cases := []struct {
		name     string
		crashOn  dobot.OpState
		decide   func(b *runningBot, clock *testClock, id int64)
		action   string // audit action of the decision
		cardText string // what the updated card says
	}{
		{"deny", dobot.OpCanceled, func(b *runningBot, _ *testClock, id int64) { b.run("UAPPROVE", fmt.Sprintf("deny %d not today", id)) },
			"approval.decision", "Denied by <@UAPPROVE>"},
		{"withdraw", dobot.OpCanceled, func(b *runningBot, _ *testClock, id int64) { b.run("UDEPLOY", fmt.Sprintf("cancel %d", id)) },
			"approval.withdrawn", "Withdrawn by <@UDEPLOY>"},
		{"expire", dobot.OpExpired, func(b *runningBot, clock *testClock, id int64) {
			clock.Advance(2 * time.Hour)
			b.run("UAPPROVE", fmt.Sprintf("approve %d", id))
		}, "approval.expired", "expired"},
		{"approve", dobot.OpRunning, func(b *runningBot, _ *testClock, id int64) { b.run("UAPPROVE", fmt.Sprintf("approve %d", id)) },
			"approval.decision", "Launching web"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t)
			clock := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			for user, role := range map[string]dobot.Role{"UDEPLOY": dobot.RoleDeployer, "UAPPROVE": dobot.RoleApprover, "UADMIN": dobot.RoleAdmin} {
				if err := db.SetRole(ctx, user, role, "test"); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true}); err != nil {
				t.Fatal(err)
			}
			srv := dotest.New(t, dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond})
			crashing := &crashStore{DB: db, crashOn: c.crashOn}
			first := startBot(t, crashing, srv, clock)

			first.run("UDEPLOY", "launch web --image nginx:1.27")
			ops, err := db.UnfinishedOperations(ctx)
			if err != nil || len(ops) != 1 || ops[0].State != dobot.OpAwaitingApproval || ops[0].MessageTS == "" {
				t.Fatalf("after the request: operations = %+v, %v; want one awaiting approval with a card", ops, err)
			}
			req := ops[0]

			crashing.armed.Store(true)
			c.decide(first, clock, req.ID)
			if crashing.armed.Load() {
				t.Fatalf("the decision never reached the crash point")
			}
			first.stop()

			// Whatever the crash cut off, the decision that took effect is
			// on record.
			op, err := db.Operation(ctx, req.ID)
			if err != nil || op.State != c.crashOn {
				t.Fatalf("request after the crash = %+v, %v; want state %s", op, err, c.crashOn)
			}
			rows, err := db.Audit(ctx, dobot.AuditFilter{Action: c.action})
			if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Details, fmt.Sprintf("request=%d", req.ID)) {
				t.Fatalf("audit rows %s after the crash = %+v, %v; want the decision on record", c.action, rows, err)
			}

			// The next start updates the card.
			second := startBot(t, db, srv, clock)
			var card *commands.Message
			second.chat.mu.Lock()
			for _, s := range second.chat.sent {
				if s.Kind == "update" && s.Channel == req.Channel {
					m := s.Msg
					card = &m
					break
				}
			}
			second.chat.mu.Unlock()
			if card == nil {
				t.Fatalf("after the restart the card of request #%d was not updated; sent %+v", req.ID, second.chat.sent)
			}
			if len(card.Buttons) != 0 {
				t.Errorf("updated card still has buttons: %+v", card.Buttons)
			}
			if all := card.Text + card.Title + card.Footer; !strings.Contains(all, c.cardText) {
				t.Errorf("updated card = %q / %q / %q; want it to say %q", card.Title, card.Text, card.Footer, c.cardText)
			}
			if pending, err := db.PendingCards(ctx); err != nil || len(pending) != 0 {
				t.Errorf("PendingCards after the update = %+v, %v; want none", pending, err)
			}
		})
	}
}

// failingRecordStore is the real store, except that recording a managed
// app fails once, as a full disk or a locked file would.
type failingRecordStore struct {
	*store.DB
	failed atomic.Bool
}

func (s *failingRecordStore) RecordCreation(ctx context.Context, op dobot.Operation, app dobot.App) error {
	if s.failed.CompareAndSwap(false, true) {
		return errors.New("disk I/O error")
	}
	return s.DB.RecordCreation(ctx, op, app)
}

func (s *failingRecordStore) PutApp(ctx context.Context, app dobot.App) error {
	if s.failed.CompareAndSwap(false, true) {
		return errors.New("disk I/O error")
	}
	return s.DB.PutApp(ctx, app)
}

// TestCreatedButNotRecordedIsSaidAndRecoveredWithItsTTL fails the store
// just as a launch records the app DigitalOcean created. The person must
// hear that the app exists (not "could not create"), with a reference, and
// the next start must take the app over with its TTL counted from its
// creation.
func TestCreatedButNotRecordedIsSaidAndRecoveredWithItsTTL(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	if err := db.SetRole(ctx, "UDEPLOY", dobot.RoleDeployer, "test"); err != nil {
		t.Fatal(err)
	}
	srv := dotest.New(t, dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond})
	first := startBot(t, &failingRecordStore{DB: db}, srv, nil)
	first.run("UDEPLOY", "launch web --image nginx:1.27 --ttl 2h")

	var final string
	waitFor(t, "the launch's last word", func() bool {
		first.chat.mu.Lock()
		defer first.chat.mu.Unlock()
		for _, s := range first.chat.sent {
			if s.Kind == "reply" && strings.Contains(s.Msg.Text, "web") && (strings.Contains(s.Msg.Text, "record") || strings.Contains(s.Msg.Text, "create")) {
				final = s.Msg.Text
				return true
			}
		}
		return false
	})
	if strings.Contains(final, "Could not create") || !strings.Contains(final, "was created") || !strings.Contains(final, "op-1") {
		t.Fatalf("reply after the failed record = %q; want it to say web was created but not recorded, with ref op-1", final)
	}
	apps := srv.Apps()
	if len(apps) != 1 || !strings.Contains(final, apps[0].ID) {
		t.Fatalf("DigitalOcean apps = %+v; want the one app, named in the reply %q", apps, final)
	}
	first.stop()

	second := startBot(t, db, srv, nil)
	var app dobot.App
	var err error
	waitFor(t, "web taken over after the restart", func() bool {
		app, err = db.App(ctx, "web")
		return err == nil
	})
	second.stop()
	if app.ResourceID != apps[0].ID || app.Owner != "UDEPLOY" {
		t.Errorf("stored app = %+v; want DigitalOcean's %s owned by UDEPLOY", app, apps[0].ID)
	}
	if !app.CreatedAt.Equal(apps[0].CreatedAt.UTC().Round(0)) || app.ExpiresAt.Sub(app.CreatedAt) != 2*time.Hour {
		t.Errorf("stored app created %v, expires %v; want created at DigitalOcean's %v and expiring 2h later", app.CreatedAt, app.ExpiresAt, apps[0].CreatedAt)
	}
}

// waitFor polls cond until it holds, failing the test after thirty seconds (a busy 2-core machine is slow, never wrong).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
