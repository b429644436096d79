package e2e

import (
	"context"
	"testing"
	"time"

	"dobot/ops"
	"dobot/store"
)

// TestStoppedReplicaHandsOverItsLeases: a replica told to stop mid-deployment
// gives its operations' leases up as it exits, rather than leaving them to
// run out (30 s here), and the other replica finishes them: each launch is
// created once and said live once in its thread.
func TestStoppedReplicaHandsOverItsLeases(t *testing.T) {
	r := newReplicas(t, 2, withPhaseDelay(3*time.Second), withEnv("BOT_WATCH_INTERVAL=200ms", "BOT_LEASE=30s"))
	const n = 6
	heads, victim, _ := r.launchAndPickVictim("st", n)
	held := r.opsHeldBy(victim)
	if len(held) == 0 {
		t.Fatalf("%s holds no launch; the deployments ended before the stop", victim)
	}
	r.procs[victim].Stop(stopBudget)
	stopped := time.Now()

	db, err := store.Open(context.Background(), r.target, store.WithAuditKey([]byte(replicaKey)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range held {
		l, err := db.LeaseOf(context.Background(), ops.OpLease(id))
		if err != nil {
			t.Fatal(err)
		}
		if l.Holder == victim && l.Expires.After(stopped) {
			t.Errorf("lease of operation %d after %s stopped = %+v; want it given up at shutdown", id, victim, l)
		}
	}

	r.waitUntil("every launch live", func() bool { return len(liveReplies(r.slack.Messages())) == n })
	live := liveReplies(r.slack.Messages())
	for ts, app := range heads {
		if live[ts] != 1 {
			t.Errorf("%s: %d \"is live\" replies in its thread; want exactly 1", app, live[ts])
		}
	}
	if c := r.do.Count("POST /v2/apps"); c != n {
		t.Errorf("POST /v2/apps = %d; want %d, each app created once", c, n)
	}
}

// opsHeldBy is the ids of the unfinished operations whose lease holder has.
func (r *replicas) opsHeldBy(holder string) []int64 {
	r.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, r.target, store.WithAuditKey([]byte(replicaKey)))
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	unfinished, err := db.UnfinishedOperations(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []int64
	for _, op := range unfinished {
		if l, err := db.LeaseOf(ctx, ops.OpLease(op.ID)); err == nil && l.Holder == holder && l.Expires.After(time.Now()) {
			out = append(out, op.ID)
		}
	}
	return out
}
