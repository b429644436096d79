package resume_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/internal/chatfake"
	"dobot/internal/storetest"
	"dobot/ops"
	"dobot/ops/resume"
	"dobot/progress"
	"dobot/store"
)

// launches records what resuming asked of the launch executor.
type launches struct {
	mu      sync.Mutex
	adopted []int64
	failed  []int64
}

func (l *launches) FailOp(_ context.Context, op dobot.Operation, _ *progress.Reporter, _ error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed = append(l.failed, op.ID)
}

func (l *launches) AdoptByName(_ context.Context, op *dobot.Operation, _ deploy.LaunchArgs) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.adopted = append(l.adopted, op.ID)
	op.ResourceID = "found-app"
	return nil
}

type counter struct{ started, finished int }

func (c *counter) OperationStarted()  { c.started++ }
func (c *counter) OperationFinished() { c.finished++ }

type fixture struct {
	*resume.Resumer
	db       *store.DB
	board    *chatfake.Board
	launches *launches
	observed *counter
	ran      []dobot.Operation // what Run was given, with the state resuming left
	pending  int               // calls of ShowPending
}

// newFixture is a resumer whose background work runs at once, in order.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{db: db, board: &chatfake.Board{}, launches: &launches{}, observed: &counter{}}
	engine := &ops.Engine{Store: db, Now: time.Now, ApprovalTTL: time.Hour, Log: log, Scrub: deploy.ScrubSecrets}
	f.Resumer = resume.New(resume.Deps{Store: db, Leases: &ops.Leases{}, Launches: f.launches, Observer: f.observed, Log: log,
		ShowPending: func(context.Context) error { f.pending++; return nil },
		Unfinished:  engine.Unfinished,
		Background:  func(_ string, fn func(context.Context)) { fn(ctx) },
		Reporter: func(op dobot.Operation) *progress.Reporter {
			return progress.New(f.board, log, op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, op.ResponseURL)
		},
		Head: func(op dobot.Operation) (chat.Message, bool) {
			return chat.Message{Title: "card of " + op.Action}, true
		},
		Run: func(_ context.Context, op dobot.Operation, _ *progress.Reporter) bool {
			f.ran = append(f.ran, op)
			return true
		}})
	return f
}

func (f *fixture) store(t *testing.T, op dobot.Operation) dobot.Operation {
	t.Helper()
	op, err := f.db.CreateOperation(context.Background(), op)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// A launch cut off while sending is looked for by name before it runs
// again, so the app is not created twice; the thread says it restarted.
func TestResumeReconcilesALaunchCutOffWhileSending(t *testing.T) {
	f := newFixture(t)
	raw, _ := json.Marshal(deploy.LaunchArgs{Name: "web", Image: "nginx"})
	f.store(t, dobot.Operation{Action: deploy.ActionLaunch, App: "web", State: dobot.OpRunning, Args: string(raw),
		Sent: dobot.Sent{Step: dobot.StepSending}, Card: dobot.Card{Channel: "C1", MessageTS: "card-1"}})
	if err := f.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.pending != 1 {
		t.Errorf("decided cards shown %d times; want once, first", f.pending)
	}
	if len(f.launches.adopted) != 1 || len(f.ran) != 1 || f.ran[0].ResourceID != "found-app" {
		t.Fatalf("adopted %v, ran %+v; want the launch reconciled by name, then run with the app found", f.launches.adopted, f.ran)
	}
	if notes := f.board.Find("The bot restarted; picking up"); len(notes) != 1 || notes[0].To != "card-1" {
		t.Errorf("restart notes = %+v; want one in the card's thread", notes)
	}
	if f.observed.started != 1 || f.observed.finished != 1 {
		t.Errorf("observed %+v; want one operation started and finished", *f.observed)
	}
}

// An operation stopped before its card was recorded gets its card first.
func TestResumePostsAMissingCard(t *testing.T) {
	f := newFixture(t)
	op := f.store(t, dobot.Operation{Action: deploy.ActionTeardown, App: "web", State: dobot.OpRunning, Card: dobot.Card{Channel: "C1"}})
	if err := f.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.Operation(context.Background(), op.ID)
	if got.MessageTS == "" || len(f.ran) != 1 || f.ran[0].MessageTS != got.MessageTS {
		t.Errorf("card recorded %q, ran %+v; want the card posted, recorded and handed on", got.MessageTS, f.ran)
	}
	if len(f.launches.adopted) != 0 {
		t.Errorf("a teardown was reconciled as a launch")
	}
}

// A request stopped before its card was posted is canceled and its
// requester told; it never runs.
func TestResumeCancelsALostRequest(t *testing.T) {
	f := newFixture(t)
	op := f.store(t, dobot.Operation{Action: deploy.ActionTeardown, App: "web", State: dobot.OpRequested,
		Card: dobot.Card{Channel: "C1", ResponseURL: "https://hooks.example/1"}})
	if err := f.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Operation(context.Background(), op.ID); got.State != dobot.OpCanceled {
		t.Errorf("lost request state = %s; want canceled", got.State)
	}
	if len(f.ran) != 0 || len(f.board.Find("was lost to a restart")) != 1 { // through the response_url: no card
		t.Errorf("ran %+v, messages %+v; want nothing run and the loss said once", f.ran, f.board.Sent())
	}
}

// Go runs work under the operation's lease: a second run of the same
// operation on this replica does not start while the first holds it.
func TestGoHoldsTheLease(t *testing.T) {
	f := newFixture(t)
	inner := 0
	f.Go("ref", 7, func(context.Context) {
		f.Go("again", 7, func(context.Context) { inner++ })
	})
	if inner != 0 {
		t.Errorf("the same operation ran twice at once")
	}
	f.Go("after", 7, func(context.Context) { inner++ })
	if inner != 1 {
		t.Errorf("the operation did not run once its lease was released")
	}
}
