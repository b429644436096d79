package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"dobot"
)

func newOp(app string) dobot.Operation {
	return dobot.Operation{
		Action:      "launch",
		App:         app,
		Requester:   "U1",
		CommandText: "launch " + app,
		Args:        `{"image":"x"}`,
		Card:        dobot.Card{Channel: "C1"},
	}
}

func TestCreateOperationLocksApp(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)

		first, err := db.CreateOperation(ctx, newOp("web"))
		if err != nil {
			t.Fatalf("CreateOperation(web) = %v", err)
		}
		if first.ID == 0 || first.State != dobot.OpRequested || !first.CreatedAt.Equal(t0) || !first.UpdatedAt.Equal(t0) {
			t.Errorf("CreateOperation(web) = %+v; want ID, state requested, times %v", first, t0)
		}
		if got, err := db.Operation(ctx, first.ID); err != nil || got != first {
			t.Errorf("Operation(%d) = %+v, %v; want %+v", first.ID, got, err, first)
		}

		// Other apps, and operations without an app, are not held.
		for _, app := range []string{"api", "", ""} {
			if _, err := db.CreateOperation(ctx, newOp(app)); err != nil {
				t.Errorf("CreateOperation(%q) = %v; want nil", app, err)
			}
		}

		clock.Advance(time.Minute)
		for _, st := range []dobot.OpState{dobot.OpRequested, dobot.OpAwaitingApproval, dobot.OpRunning} {
			if _, ok, err := db.Transition(ctx, first.ID, []dobot.OpState{first.State, dobot.OpRequested, dobot.OpAwaitingApproval}, st, nil); err != nil || !ok {
				t.Fatalf("Transition(%d, -> %s) = %v, %v", first.ID, st, ok, err)
			}
			_, err := db.CreateOperation(ctx, newOp("web"))
			var busy *dobot.BusyError
			if !errors.As(err, &busy) || busy.Holder.ID != first.ID || busy.Holder.State != st {
				t.Errorf("CreateOperation(web) while %s = %v; want BusyError held by #%d", st, err, first.ID)
			}
			if got, err := db.ActiveOperation(ctx, "web"); err != nil || got.ID != first.ID {
				t.Errorf("ActiveOperation(web) = %+v, %v; want #%d", got, err, first.ID)
			}
		}

		if _, ok, err := db.Transition(ctx, first.ID, []dobot.OpState{dobot.OpRunning}, dobot.OpSucceeded, nil); err != nil || !ok {
			t.Fatalf("Transition(-> succeeded) = %v, %v", ok, err)
		}
		if _, err := db.ActiveOperation(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("ActiveOperation(web) after success = %v; want ErrNotFound", err)
		}
		second, err := db.CreateOperation(ctx, newOp("web"))
		if err != nil || second.ID == first.ID {
			t.Errorf("CreateOperation(web) after success = %+v, %v; want a new operation", second, err)
		}
	})
}

func TestCreateOperationRace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)

		const n = 20
		var (
			wg         sync.WaitGroup
			mu         sync.Mutex
			wins, busy int
		)
		for range n {
			wg.Go(func() {
				_, err := db.CreateOperation(ctx, newOp("web"))
				var be *dobot.BusyError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.As(err, &be):
					busy++
				default:
					t.Errorf("CreateOperation = %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || busy != n-1 {
			t.Errorf("%d concurrent CreateOperation(web): %d created, %d busy; want 1, %d", n, wins, busy, n-1)
		}
	})
}

func TestTransition(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		op := newOp("web")
		op.State = dobot.OpAwaitingApproval
		op, err := db.CreateOperation(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)

		waiting := []dobot.OpState{dobot.OpAwaitingApproval}
		got, ok, err := db.Transition(ctx, op.ID, waiting, dobot.OpRunning, func(o *dobot.Operation) {
			o.Decider = "U9"
			o.DecidedAt = clock.Now()
			o.ID = 999 // must be ignored
		})
		if err != nil || !ok || got.State != dobot.OpRunning || got.Decider != "U9" || got.ID != op.ID ||
			!got.UpdatedAt.Equal(t0.Add(time.Minute)) || !got.CreatedAt.Equal(t0) {
			t.Fatalf("Transition(approve) = %+v, %v, %v; want running, decided by U9, updated at t0+1m", got, ok, err)
		}
		if stored, _ := db.Operation(ctx, op.ID); stored != got {
			t.Errorf("Operation(%d) = %+v; want %+v", op.ID, stored, got)
		}

		// Wrong from state: nothing changes, current op comes back.
		called := false
		cur, ok, err := db.Transition(ctx, op.ID, waiting, dobot.OpCanceled, func(*dobot.Operation) { called = true })
		if err != nil || ok || called || cur.State != dobot.OpRunning {
			t.Errorf("Transition(cancel while running) = %s, %v, %v (mutate called %v); want running, false, nil, not called",
				cur.State, ok, err, called)
		}

		if _, _, err := db.Transition(ctx, 12345, waiting, dobot.OpRunning, nil); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("Transition(missing) = %v; want ErrNotFound", err)
		}
	})
}

func TestTransitionRaceOneWinner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		op := newOp("web")
		op.State = dobot.OpAwaitingApproval
		op, err := db.CreateOperation(ctx, op)
		if err != nil {
			t.Fatal(err)
		}

		const n = 20
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []string
		)
		for i := range n {
			wg.Go(func() {
				decider := string(rune('A' + i))
				to := dobot.OpRunning // approve
				if i%2 == 1 {
					to = dobot.OpCanceled // deny
				}
				_, ok, err := db.Transition(ctx, op.ID, []dobot.OpState{dobot.OpAwaitingApproval}, to,
					func(o *dobot.Operation) { o.Decider = decider })
				if err != nil {
					t.Errorf("Transition = %v", err)
				}
				if ok {
					mu.Lock()
					winners = append(winners, decider)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("%d concurrent Transitions: winners %v; want exactly one", n, winners)
		}
		if got, _ := db.Operation(ctx, op.ID); got.Decider != winners[0] {
			t.Errorf("Decider = %q; want the winner %q", got.Decider, winners[0])
		}
	})
}

func TestUpdateOperation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		op, err := db.CreateOperation(ctx, newOp("web"))
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		op.MessageTS, op.ResourceID, op.DeploymentID, op.Error = "9.9", "uuid-1", "dep-1", "boom"
		op.State = dobot.OpFailed
		if err := db.UpdateOperation(ctx, op); err != nil {
			t.Fatalf("UpdateOperation = %v", err)
		}
		want := op
		want.UpdatedAt = t0.Add(time.Second)
		if got, err := db.Operation(ctx, op.ID); err != nil || got != want {
			t.Errorf("Operation(%d) = %+v, %v; want %+v", op.ID, got, err, want)
		}

		missing := op
		missing.ID = 777
		if err := db.UpdateOperation(ctx, missing); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("UpdateOperation(missing) = %v; want ErrNotFound", err)
		}
		if _, err := db.Operation(ctx, 777); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("Operation(777) = %v; want ErrNotFound", err)
		}

		// Reviving a finished op while another holds the app is refused too.
		holder, err := db.CreateOperation(ctx, newOp("web"))
		if err != nil {
			t.Fatal(err)
		}
		op.State = dobot.OpRunning
		var busy *dobot.BusyError
		if err := db.UpdateOperation(ctx, op); !errors.As(err, &busy) || busy.Holder.ID != holder.ID {
			t.Errorf("UpdateOperation(revive) = %v; want BusyError held by #%d", err, holder.ID)
		}
	})
}

func TestUnfinishedAndExpired(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)

		mk := func(app string, st dobot.OpState, expires time.Time) int64 {
			t.Helper()
			op := newOp(app)
			op.State, op.ExpiresAt = st, expires
			op, err := db.CreateOperation(ctx, op)
			if err != nil {
				t.Fatalf("CreateOperation(%s, %s) = %v", app, st, err)
			}
			return op.ID
		}
		expiredA := mk("a", dobot.OpAwaitingApproval, t0.Add(-time.Minute))
		pendingB := mk("b", dobot.OpAwaitingApproval, t0.Add(time.Minute))
		running := mk("c", dobot.OpRunning, time.Time{})
		mk("d", dobot.OpSucceeded, time.Time{})
		expiredE := mk("e", dobot.OpAwaitingApproval, t0) // deadline exactly now
		mk("f", dobot.OpExpired, t0.Add(-time.Hour))
		requested := mk("g", dobot.OpRequested, time.Time{})

		ids := func(ops []dobot.Operation) []int64 {
			var out []int64
			for _, o := range ops {
				out = append(out, o.ID)
			}
			return out
		}
		expired, err := db.ExpiredApprovals(ctx, t0)
		if want := []int64{expiredA, expiredE}; err != nil || !slices.Equal(ids(expired), want) {
			t.Errorf("ExpiredApprovals(t0) = %v, %v; want %v", ids(expired), err, want)
		}
		unfinished, err := db.UnfinishedOperations(ctx)
		if want := []int64{expiredA, pendingB, running, expiredE, requested}; err != nil || !slices.Equal(ids(unfinished), want) {
			t.Errorf("UnfinishedOperations() = %v, %v; want %v", ids(unfinished), err, want)
		}
		if len(expired) > 0 && !expired[0].ExpiresAt.Equal(t0.Add(-time.Minute)) {
			t.Errorf("ExpiresAt = %v; want %v", expired[0].ExpiresAt, t0.Add(-time.Minute))
		}
	})
}
