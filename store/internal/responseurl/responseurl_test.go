package responseurl

import (
	"context"
	"strings"
	"testing"
	"time"

	"dobot/store/internal/sqldb"
	"dobot/store/internal/sqldbtest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestRecordAndUse(t *testing.T) {
	ctx := context.Background()
	c, writeTx := sqldbtest.Open(t)
	const url = "https://hooks.slack.com/commands/T1/1/secret"
	in := func(fn func(tx *sqldb.Txn) error) {
		t.Helper()
		if err := writeTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	use := func(now time.Time) (ok bool, user string) {
		t.Helper()
		in(func(tx *sqldb.Txn) (err error) {
			ok, user, err = Use(ctx, tx, url, 2, 30*time.Minute, now)
			return err
		})
		return ok, user
	}
	if ok, user := use(t0); !ok || user != "" {
		t.Errorf("Use(unrecorded) = %v, %q; want allowed, no user", ok, user)
	}
	in(func(tx *sqldb.Txn) error { return Record(ctx, tx, url, "U1", "C1", t0) })
	// A redelivery records nothing new: the URL's life runs from the first.
	in(func(tx *sqldb.Txn) error { return Record(ctx, tx, url, "U2", "C2", t0.Add(20*time.Minute)) })
	for i, want := range []bool{true, true, false} {
		if ok, user := use(t0.Add(time.Minute)); ok != want || user != "U1" {
			t.Errorf("use %d = %v, %q; want %v, U1", i+1, ok, user, want)
		}
	}

	const other = "https://hooks.slack.com/commands/T1/2/other"
	in(func(tx *sqldb.Txn) error { return Record(ctx, tx, other, "U3", "C1", t0) })
	in(func(tx *sqldb.Txn) (err error) {
		ok, _, err := Use(ctx, tx, other, 5, 30*time.Minute, t0.Add(31*time.Minute))
		if ok {
			t.Errorf("Use(past its life) allowed")
		}
		return err
	})
	// Records long past use are forgotten by the next Record.
	in(func(tx *sqldb.Txn) error { return Record(ctx, tx, "https://x/3", "U4", "C1", t0.Add(Keep+time.Minute)) })
	var n int
	if err := c.QueryRow(`SELECT count(*) FROM response_urls`).Scan(&n); err != nil || n != 1 {
		t.Errorf("records after pruning = %d, %v; want 1", n, err)
	}
	if h := Hash(url); strings.Contains(h, "secret") || len(h) != 64 {
		t.Errorf("Hash(url) = %q; want a SHA-256 that does not keep the URL", h)
	}
}
