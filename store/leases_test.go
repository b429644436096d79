package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"dobot"
)

func TestLeases(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		const ttl = 30 * time.Second
		acquire := func(name, holder string, want bool, wantHolder string) {
			t.Helper()
			l, got, err := db.AcquireLease(ctx, name, holder, ttl)
			if err != nil || got != want || l.Holder != wantHolder {
				t.Fatalf("AcquireLease(%s, %s) = %+v, %v, %v; want held=%v by %s", name, holder, l, got, err, want, wantHolder)
			}
		}
		acquire("op:1", "a", true, "a")
		acquire("op:1", "b", false, "a") // a holds it
		clock.Advance(20 * time.Second)
		acquire("op:1", "a", true, "a") // a renews: now until t0+50s
		clock.Advance(20 * time.Second)
		acquire("op:1", "b", false, "a") // renewed, so still a's
		clock.Advance(10 * time.Second)
		acquire("op:1", "b", true, "b") // a's ran out: b takes over
		acquire("op:1", "a", false, "b")

		// Releasing hands it over at once; only the holder can release.
		if err := db.ReleaseLease(ctx, "op:1", "a"); err != nil {
			t.Fatal(err)
		}
		acquire("op:1", "a", false, "b")
		acquire("loop:ttl", "b", true, "b")
		if n, err := db.ReleaseLeases(ctx, "b"); err != nil || n != 2 {
			t.Errorf("ReleaseLeases(b) = %d, %v; want 2", n, err)
		}
		// Given up, not forgotten: the row says it was b's and has run out.
		if l, err := db.LeaseOf(ctx, "op:1"); err != nil || l.Holder != "b" || l.Expires.After(clock.Now()) {
			t.Errorf("LeaseOf(op:1) after ReleaseLeases = %+v, %v; want b's, run out", l, err)
		}
		if err := db.ReleaseLease(ctx, "loop:ttl", "b"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LeaseOf(ctx, "loop:ttl"); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("LeaseOf(loop:ttl) after ReleaseLease = %v; want not found", err)
		}
		acquire("op:1", "a", true, "a")
		if _, _, err := db.AcquireLease(ctx, "op:2", "", ttl); err == nil {
			t.Error("AcquireLease with no holder = nil; want an error")
		}
	})
}

// TestRenewLeases: the heartbeat keeps the holder's live leases and lets
// an expired one go, even one nobody has taken yet.
func TestRenewLeases(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		for _, l := range []struct {
			name string
			ttl  time.Duration
		}{{"op:1", time.Minute}, {"op:2", 10 * time.Second}, {"loop:ttl", time.Minute}} {
			if _, ok, err := db.AcquireLease(ctx, l.name, "a", l.ttl); !ok || err != nil {
				t.Fatalf("AcquireLease(%s) = %v, %v", l.name, ok, err)
			}
		}
		if _, ok, _ := db.AcquireLease(ctx, "op:3", "b", time.Minute); !ok {
			t.Fatal("b could not take op:3")
		}
		clock.Advance(30 * time.Second)
		got, err := db.RenewLeases(ctx, "a", time.Minute)
		if err != nil || fmt.Sprint(got) != "[loop:ttl op:1]" {
			t.Errorf("RenewLeases(a) = %v, %v; want [loop:ttl op:1]: op:2 ran out", got, err)
		}
		clock.Advance(45 * time.Second) // past the first expiry, within the renewed one
		if _, ok, _ := db.AcquireLease(ctx, "op:1", "b", time.Minute); ok {
			t.Error("b took op:1 although a renewed it")
		}
		if _, ok, _ := db.AcquireLease(ctx, "op:2", "b", time.Minute); !ok {
			t.Error("b could not take op:2, whose lease ran out")
		}
	})
}

// TestLeaseOneWinner: instances racing for one free lease, each with its
// own store as separate processes would have, get it exactly once.
func TestLeaseOneWinner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		_, _, target := be.open(t)
		const n = 6
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			won []string
		)
		for i := range n {
			db := be.reopen(t, target)
			holder := string(rune('a' + i))
			wg.Go(func() {
				_, ok, err := db.AcquireLease(ctx, "loop:ttl", holder, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won = append(won, holder)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(won) != 1 {
			t.Errorf("winners = %v; want exactly one", won)
		}
	})
}
