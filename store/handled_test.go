package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestMarkHandled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		tests := []struct {
			name string
			in   string
			want bool
		}{
			{"first", "env-1", true},
			{"repeat", "env-1", false},
			{"other", "env-2", true},
			{"repeat other", "env-2", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.MarkHandled(ctx, tt.in)
				if err != nil || got != tt.want {
					t.Errorf("MarkHandled(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
				}
			})
		}
	})
}

func TestMarkHandledConcurrent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			firsts int
		)
		for range 20 {
			wg.Go(func() {
				first, err := db.MarkHandled(ctx, "retry")
				if err != nil {
					t.Errorf("MarkHandled = %v", err)
				}
				if first {
					mu.Lock()
					firsts++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if firsts != 1 {
			t.Errorf("20 concurrent MarkHandled(retry): %d firsts; want 1", firsts)
		}
	})
}

func TestPruneHandled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		if _, err := db.MarkHandled(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(25 * time.Hour)
		if _, err := db.MarkHandled(ctx, "new"); err != nil {
			t.Fatal(err)
		}
		n, err := db.PruneHandled(ctx, clock.Now().Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Errorf("PruneHandled(now-24h) = %d, %v; want 1", n, err)
		}
		if first, _ := db.MarkHandled(ctx, "old"); !first {
			t.Errorf("MarkHandled(old) after prune = false; want true")
		}
		if first, _ := db.MarkHandled(ctx, "new"); first {
			t.Errorf("MarkHandled(new) after prune = true; want false")
		}
	})
}

func TestMarkHandledPrunesPeriodically(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		if _, err := db.MarkHandled(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(25 * time.Hour)
		for i := range pruneEveryMarks {
			if _, err := db.MarkHandled(ctx, fmt.Sprint("k", i)); err != nil {
				t.Fatal(err)
			}
		}
		if first, _ := db.MarkHandled(ctx, "old"); !first {
			t.Errorf("MarkHandled(old) after %d more calls = false; want true (pruned)", pruneEveryMarks)
		}
	})
}
