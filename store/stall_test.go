package store

import (
	"context"
	"testing"
	"time"

	"dobot"
	"dobot/store/internal/sqldb"
)

// A replica frozen in the middle of a write transaction holds the one
// write lock. PostgreSQL ends its session after the stall limit, so the
// other replicas' writes go on, and the frozen one's write fails.
func TestStalledReplicaDoesNotBlockTheOthersWrites(t *testing.T) {
	be := backends[1]
	target := be.fresh(t)
	if got := showSetting(t, be.reopen(t, target), "idle_in_transaction_session_timeout"); got != stallLimit {
		t.Errorf("idle_in_transaction_session_timeout = %q; want the default %q", got, stallLimit)
	}
	// A short limit, given in the URL, which the store keeps.
	short, err := sqldb.WithParam(target, "idle_in_transaction_session_timeout", "1s")
	if err != nil {
		t.Fatal(err)
	}
	frozen, other := be.reopen(t, short), be.reopen(t, short)
	ctx := context.Background()
	holding, thaw, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- frozen.writeTx(ctx, func(tx *txn) error {
			close(holding)
			<-thaw // idle inside the transaction, as a paused process is
			_, err := tx.ExecContext(ctx, `SELECT 1`)
			return err
		})
	}()
	<-holding
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := other.SetRole(wctx, "U1", dobot.RoleViewer, "test"); err != nil {
		t.Fatalf("the other replica's write = %v; want it to go through once the stalled session ends", err)
	}
	close(thaw)
	if err := <-done; err == nil {
		t.Error("the stalled replica's transaction committed; want it ended by the server")
	}
}

func showSetting(t *testing.T, db *DB, name string) string {
	t.Helper()
	var v string
	if err := db.sql.DB.QueryRowContext(context.Background(), "SHOW "+name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
