package ops_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"dobot"
	"dobot/internal/pgtest"
	"dobot/ops"
	"dobot/store"
)

// Approvals stay exactly once when the clicks for one card reach different
// replicas: each decider below has its own connection pool to one
// PostgreSQL database, as separate processes do, and one wins.
func TestDecisionsOnSeveralReplicasOneWins(t *testing.T) {
	target := pgtest.Fresh(t)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, target, store.WithAuditKey([]byte("replicas-test-audit-key-0123456789abcdef")))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	first := open()
	req, err := first.CreateOperation(ctx, dobot.Operation{
		Action:    "teardown",
		App:       "web",
		State:     dobot.OpAwaitingApproval,
		Requester: "UREQ",
		Args:      `{}`,
		Approval:  dobot.Approval{ExpiresAt: time.Now().Add(time.Hour)},
		Card:      dobot.Card{Channel: "C1", MessageTS: "1.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	var (
		wg    sync.WaitGroup
		tally decisionTally
	)
	for i := range n {
		db := first
		if i > 0 {
			db = open()
		}
		a := &ops.Approvals{Store: db, Now: time.Now,
			RequesterAllowed: func(context.Context, dobot.Operation) (string, error) { return "", nil },
			StateText:        func(op dobot.Operation) string { return "it is " + string(op.State) },
			Scrub:            func(op *dobot.Operation) {}, CardWait: time.Millisecond}
		wg.Go(func() {
			_, _, err := a.Decide(ctx, ops.Decision{RequestID: req.ID, Approve: true, Decider: "UAPP", Channel: "C1", CommandText: "(button)", Card: "1.1"})
			tally.add(t, err)
		})
	}
	wg.Wait()
	tally.check(t, n)
	rows, err := first.Audit(ctx, dobot.AuditFilter{Action: "approval.decision"})
	approved := 0
	for _, r := range rows {
		if r.Decision == "approved" {
			approved++
		}
	}
	if err != nil || approved != 1 {
		t.Errorf("approved decisions in the audit = %d, %v; want 1", approved, err)
	}
}
