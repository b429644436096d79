package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"dobot"
)

// The tests below open one database from several stores, as separate
// processes (replicas on PostgreSQL) would, so that nothing in-process,
// such as writeMu, can be what keeps them right: only the database's own
// write lock (dialect.lockWrites) can.

// TestAuditOneChainAcrossStores: appends from several stores at once still
// make one chain, every id used once.
func TestAuditOneChainAcrossStores(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		_, _, target := be.open(t)
		const stores, each = 4, 15
		var wg sync.WaitGroup
		for i := range stores {
			db := be.reopen(t, target)
			db.instance = fmt.Sprintf("replica-%d", i)
			wg.Go(func() {
				for j := range each {
					if _, err := db.AppendAudit(ctx, dobot.AuditEntry{Action: "launch", Target: fmt.Sprintf("app-%d-%d", i, j)}); err != nil {
						t.Errorf("AppendAudit from store %d = %v", i, err)
						return
					}
				}
			})
		}
		wg.Wait()
		db := be.reopen(t, target)
		rep, err := db.VerifyAuditTrail(ctx, nil)
		if err != nil || rep.Rows != stores*each {
			t.Errorf("VerifyAuditTrail = %+v, %v; want %d rows in one intact chain", rep, err, stores*each)
		}
	})
}

// TestDecisionOnceAcrossStores: approve and deny clicks for one request
// arriving at different stores at the same moment: one wins, with its audit
// row, and the others change nothing.
func TestDecisionOnceAcrossStores(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, target := be.open(t)
		op := newOp("web")
		op.State = dobot.OpAwaitingApproval
		op, err := db.CreateOperation(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []string
		)
		for i := range n {
			other := be.reopen(t, target)
			wg.Go(func() {
				decider := fmt.Sprintf("U%d", i)
				_, ok, _, err := other.Decide(ctx, op.ID, []dobot.OpState{dobot.OpAwaitingApproval}, dobot.OpRunning,
					func(o *dobot.Operation) { o.Decider = decider },
					func(o dobot.Operation) dobot.AuditEntry {
						return dobot.AuditEntry{UserID: decider, Action: "approval.decision", Decision: "approved"}
					})
				if err != nil {
					t.Errorf("Decide = %v", err)
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
			t.Fatalf("winners = %v; want exactly one", winners)
		}
		rows, err := db.Audit(ctx, dobot.AuditFilter{Action: "approval.decision"})
		if err != nil || len(rows) != 1 || rows[0].UserID != winners[0] {
			t.Errorf("decision audit rows = %+v, %v; want one, by %s", rows, err, winners[0])
		}
	})
}
