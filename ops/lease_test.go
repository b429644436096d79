package ops_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dobot"
	"dobot/internal/storetest"
	"dobot/internal/testclock"
	"dobot/ops"
	"dobot/store"
)

// clock is a settable clock shared by a store and the replicas on it.
type clock = testclock.Clock

// flaky is a lease store whose heartbeats can be made to fail, as when the
// database is out of reach.
type flaky struct {
	*store.DB
	down atomic.Bool
}

func (f *flaky) RenewLeases(ctx context.Context, holder string, ttl time.Duration) ([]string, error) {
	if f.down.Load() {
		return nil, errors.New("database unreachable")
	}
	return f.DB.RenewLeases(ctx, holder, ttl)
}

const leaseTTL = 30 * time.Second

// replicas are two replicas' leases on one store, with one clock.
func replicas(t *testing.T) (a, b *ops.Leases, c *clock, db *flaky) {
	t.Helper()
	sdb := storetest.Open(t)
	c = testclock.New(t0)
	sdb.Now = c.Now
	db = &flaky{DB: sdb}
	a = &ops.Leases{Store: db, Holder: "a", TTL: leaseTTL, Now: c.Now}
	b = &ops.Leases{Store: db, Holder: "b", TTL: leaseTTL, Now: c.Now}
	return a, b, c, db
}

// heartbeat is one heartbeat of l.
func heartbeat(l *ops.Leases) { ops.RenewOnce(context.Background(), l) }

// A replica whose lease ran out and was taken stops at once: its work's
// context ends with ErrLeaseLost at its next heartbeat.
func TestLostLeaseCancelsTheWork(t *testing.T) {
	a, b, c, _ := replicas(t)
	ctx := context.Background()
	actx, releaseA, err := a.Hold(ctx, "op:1")
	if err != nil {
		t.Fatal(err)
	}
	defer releaseA()
	var held *ops.HeldError
	if _, _, err := b.Hold(ctx, "op:1"); !errors.As(err, &held) || held.Lease.Holder != "a" {
		t.Fatalf("b.Hold(op:1) while a holds it = %v; want held by a", err)
	}
	if _, _, err := a.Hold(ctx, "op:1"); !errors.Is(err, ops.ErrHeldHere) {
		t.Errorf("a.Hold(op:1) again = %v; want ErrHeldHere", err)
	}
	c.Advance(leaseTTL / 6)
	heartbeat(a) // renewed: still a's, and a goes on
	if actx.Err() != nil || ops.Lost(actx) {
		t.Fatalf("a's work ended after a good heartbeat: %v", context.Cause(actx))
	}
	c.Advance(leaseTTL) // a was paused past its lease
	if !ops.Lost(actx) || !errors.Is(context.Cause(actx), dobot.ErrLeaseLost) {
		t.Errorf("a's work woken past its lease, before a heartbeat: Lost %v, cause %v; want lost and canceled", ops.Lost(actx), context.Cause(actx))
	}
	bctx, releaseB, err := b.Hold(ctx, "op:1")
	if err != nil {
		t.Fatalf("b.Hold(op:1) after a's lease ran out = %v", err)
	}
	defer releaseB()
	heartbeat(a)
	if !ops.Lost(actx) {
		t.Errorf("a's work after b took its lease: err %v, cause %v; want canceled as lost", actx.Err(), context.Cause(actx))
	}
	heartbeat(b)
	if bctx.Err() != nil {
		t.Errorf("b's work ended: %v", context.Cause(bctx))
	}
}

// A replica that cannot reach the database stops its work before its
// lease can run out in the store, so two replicas never act at once.
func TestUnrenewedLeaseIsGivenUpBeforeItRunsOut(t *testing.T) {
	a, b, c, db := replicas(t)
	actx, release, err := a.Hold(context.Background(), "op:1")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	db.down.Store(true)
	c.Advance(leaseTTL / 2)
	heartbeat(a)
	if actx.Err() != nil {
		t.Fatalf("work stopped with half the lease left: %v", context.Cause(actx))
	}
	c.Advance(leaseTTL/3 + time.Second) // less than a sixth left
	heartbeat(a)
	if !ops.Lost(actx) {
		t.Fatalf("work still running with %v of its lease left and no heartbeat", leaseTTL/6-time.Second)
	}
	if _, _, err := b.Hold(context.Background(), "op:1"); err == nil {
		t.Error("b took op:1 before a's lease ran out in the store")
	}
}

// Stopping releases the leases so another replica takes the work at once,
// and Adoptable tells a left operation from one still being claimed.
func TestDrainHandsOverAtOnce(t *testing.T) {
	a, b, c, _ := replicas(t)
	ctx := context.Background()
	life, stop := context.WithCancel(ctx)
	op := dobot.Operation{ID: 1, State: dobot.OpRunning, Stamps: dobot.Stamps{UpdatedAt: c.Now()}}
	if ok, err := b.Adoptable(ctx, op); ok || err != nil {
		t.Errorf("Adoptable(new unclaimed op) = %v, %v; want false: its replica is about to claim it", ok, err)
	}
	_, release, err := a.Hold(life, ops.OpLease(1))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.Adoptable(ctx, op); ok {
		t.Error("Adoptable(op a holds) = true")
	}
	stop()
	release() // at shutdown: left for Drain
	a.Drain(ctx)
	if ok, err := b.Adoptable(ctx, op); !ok || err != nil {
		t.Errorf("Adoptable(op a left at shutdown) = %v, %v; want true at once", ok, err)
	}
	if _, _, err := b.Hold(ctx, ops.OpLease(1)); err != nil {
		t.Errorf("b.Hold after a drained = %v", err)
	}
	if _, _, err := a.Hold(ctx, ops.OpLease(2)); err == nil {
		t.Error("a drained replica took a new lease")
	}
	// Never claimed, and older than a lease: its replica died first.
	c.Advance(leaseTTL)
	if ok, _ := b.Adoptable(ctx, dobot.Operation{ID: 3, State: dobot.OpRunning, Stamps: dobot.Stamps{UpdatedAt: t0}}); !ok {
		t.Error("Adoptable(op never claimed for a lease's life) = false")
	}
}

// counting is a lease store that counts each holder's tries.
type counting struct {
	ops.LeaseStore
	mu    sync.Mutex
	tries map[string]int
}

func (c *counting) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (dobot.Lease, bool, error) {
	c.mu.Lock()
	c.tries[holder]++
	c.mu.Unlock()
	return c.LeaseStore.AcquireLease(ctx, name, holder, ttl)
}

func (c *counting) triesOf(holder string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tries[holder]
}

// A loop runs on one replica at a time: the other keeps trying and does
// not run it, until the first stops and hands it over.
func TestLoopRunsOnOneReplica(t *testing.T) {
	a, b, _, db := replicas(t)
	store := &counting{LeaseStore: db, tries: map[string]int{}}
	a.Store, b.Store = store, store
	a.TTL, b.TTL = 300*time.Millisecond, 300*time.Millisecond
	var ranA, ranB atomic.Int32
	loop := func(ran *atomic.Int32) func(ctx context.Context) {
		return func(ctx context.Context) {
			ran.Add(1)
			<-ctx.Done()
		}
	}
	actx, stopA := context.WithCancel(context.Background())
	bctx, stopB := context.WithCancel(context.Background())
	var wgA, wgB sync.WaitGroup
	wgA.Go(func() { a.Loop(actx, "loop:ttl", loop(&ranA)) })
	waitUntil(t, "a runs the loop", func() bool { return ranA.Load() == 1 })
	wgB.Go(func() { b.Loop(bctx, "loop:ttl", loop(&ranB)) })
	waitUntil(t, "b tries three times", func() bool { return store.triesOf("b") >= 3 })
	if ranB.Load() != 0 {
		t.Fatal("b ran the loop while a held it")
	}
	stopA()
	wgA.Wait() // a's loop has returned: its work is over
	a.Drain(context.Background())
	waitUntil(t, "b takes the loop over", func() bool { return ranB.Load() == 1 })
	stopB()
	wgB.Wait()
	if ranA.Load() != 1 {
		t.Errorf("a ran the loop %d times; want once", ranA.Load())
	}
}

// waitUntil waits for cond, failing the test after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
