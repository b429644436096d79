package ops_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"dobot"
	"dobot/internal/storetest"
	"dobot/ops"
	"dobot/store"
)

func newEngine(t *testing.T) (*ops.Engine, *store.DB) {
	t.Helper()
	db := storetest.Open(t)
	db.Now = func() time.Time { return t0 }
	return &ops.Engine{Store: db, Now: func() time.Time { return t0 }, ApprovalTTL: time.Hour,
		Scrub: func(op *dobot.Operation) { op.Args = "{}" }, Log: slog.New(slog.DiscardHandler)}, db
}

func TestOpenHoldsTheLock(t *testing.T) {
	e, _ := newEngine(t)
	ctx := context.Background()
	run, err := e.Open(ctx, dobot.Operation{Action: "redeploy", App: "web"}, false)
	if err != nil || run.State != dobot.OpRunning || !run.ExpiresAt.IsZero() {
		t.Fatalf("Open = %+v, %v; want it running", run, err)
	}
	var busy *dobot.BusyError
	if _, err := e.Open(ctx, dobot.Operation{Action: "teardown", App: "web"}, true); !errors.As(err, &busy) || busy.Holder.ID != run.ID {
		t.Errorf("second Open on web = %v; want busy with #%d", err, run.ID)
	}
	req, err := e.Open(ctx, dobot.Operation{Action: "teardown", App: "api"}, true)
	if err != nil || req.State != dobot.OpRequested || !req.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("Open needing approval = %+v, %v; want requested, expiring in the approval TTL", req, err)
	}
	e.Finish(ctx, &run, dobot.OpSucceeded, "")
	if _, err := e.Open(ctx, dobot.Operation{Action: "teardown", App: "web"}, false); err != nil {
		t.Errorf("Open after the holder finished = %v; want the lock free", err)
	}
}

// What a previous run left: a request without a card is canceled, a
// running operation resumes, a waiting request keeps waiting.
func TestUnfinishedSortsWhatARunLeft(t *testing.T) {
	e, db := newEngine(t)
	ctx := context.Background()
	lostOp, _ := db.CreateOperation(ctx, dobot.Operation{Action: "teardown", App: "a", State: dobot.OpRequested, Args: `{"x":1}`})
	runOp, _ := db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "b", State: dobot.OpRunning})
	waitOp, _ := db.CreateOperation(ctx, dobot.Operation{Action: "teardown", App: "c", State: dobot.OpAwaitingApproval})
	lost, running, err := e.Unfinished(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 1 || lost[0].ID != lostOp.ID || len(running) != 1 || running[0].ID != runOp.ID {
		t.Fatalf("Unfinished = lost %+v, running %+v; want #%d lost and #%d running", lost, running, lostOp.ID, runOp.ID)
	}
	if got, _ := db.Operation(ctx, lostOp.ID); got.State != dobot.OpCanceled || got.Args != "{}" {
		t.Errorf("lost request = %+v; want it canceled, without secrets", got)
	}
	if got, _ := db.Operation(ctx, waitOp.ID); got.State != dobot.OpAwaitingApproval {
		t.Errorf("waiting request = %s; want it still waiting", got.State)
	}
}

// With several replicas, a young request without a card may be another
// replica's, about to get one: it counts as lost only after LostAfter, and
// then for one caller only.
func TestUnfinishedLeavesYoungRequestsToTheirReplica(t *testing.T) {
	e, db := newEngine(t)
	ctx := context.Background()
	now := t0
	e.Now, db.Now = func() time.Time { return now }, func() time.Time { return now }
	e.LostAfter = time.Minute
	req, _ := db.CreateOperation(ctx, dobot.Operation{Action: "teardown", App: "a", State: dobot.OpRequested})
	now = t0.Add(30 * time.Second)
	if lost, _, err := e.Unfinished(ctx); err != nil || len(lost) != 0 {
		t.Fatalf("Unfinished after 30s = lost %+v, %v; want none yet", lost, err)
	}
	now = t0.Add(2 * time.Minute)
	if lost, _, err := e.Unfinished(ctx); err != nil || len(lost) != 1 || lost[0].ID != req.ID {
		t.Fatalf("Unfinished after 2m = lost %+v, %v; want #%d", lost, err, req.ID)
	}
	if lost, _, _ := e.Unfinished(ctx); len(lost) != 0 {
		t.Errorf("Unfinished again = lost %+v; want it reported once", lost)
	}
}

func TestWithdrawOnce(t *testing.T) {
	e, db := newEngine(t)
	ctx := context.Background()
	op, _ := db.CreateOperation(ctx, dobot.Operation{Action: "teardown", App: "web", State: dobot.OpAwaitingApproval, Requester: "UREQ"})
	got, ok, stored, err := e.Withdraw(ctx, op, ops.Withdrawal{By: "UADMIN", Channel: "C1"})
	if err != nil || !ok || got.State != dobot.OpCanceled || got.Error != "canceled by an admin" || stored.Action != "approval.canceled" {
		t.Fatalf("Withdraw by an admin = %+v, %v, %+v, %v; want canceled, on record", got, ok, stored, err)
	}
	if _, ok, _, err := e.Withdraw(ctx, op, ops.Withdrawal{By: "UREQ"}); ok || err != nil {
		t.Errorf("second Withdraw = %v, %v; want no change", ok, err)
	}
}
