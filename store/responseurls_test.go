package store

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestResponseURLLimitsSurviveARestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) { testResponseURLLimitsSurviveARestart(t, be) })
}

func testResponseURLLimitsSurviveARestart(t *testing.T, be backend) {
	ctx := context.Background()
	path := be.fresh(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	open := func() *DB {
		db := be.reopen(t, path)
		db.Now = clock
		return db
	}
	const url = "https://hooks.slack.com/commands/T1/1/secret"
	db := open()
	if err := db.RecordResponseURL(ctx, url, "U1", "C1"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if ok, user, err := db.UseResponseURL(ctx, url, 5, 30*time.Minute); !ok || user != "U1" || err != nil {
			t.Fatalf("use %d = %v, %q, %v; want allowed for U1", i+1, ok, user, err)
		}
	}
	db.Close()

	db = open() // a restart
	defer db.Close()
	if err := db.RecordResponseURL(ctx, url, "U1", "C1"); err != nil { // a redelivery: no fresh start
		t.Fatal(err)
	}
	for i := 3; i < 5; i++ {
		if ok, _, err := db.UseResponseURL(ctx, url, 5, 30*time.Minute); !ok || err != nil {
			t.Fatalf("use %d after restart = %v, %v; want allowed", i+1, ok, err)
		}
	}
	if ok, user, err := db.UseResponseURL(ctx, url, 5, 30*time.Minute); ok || user != "U1" || err != nil {
		t.Errorf("sixth use = %v, %q, %v; want refused, for U1", ok, user, err)
	}

	const other = "https://hooks.slack.com/commands/T1/2/secret"
	if err := db.RecordResponseURL(ctx, other, "U2", "C2"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(30*time.Minute + time.Second)
	if ok, user, err := db.UseResponseURL(ctx, other, 5, 30*time.Minute); ok || user != "U2" || err != nil {
		t.Errorf("use after 30 minutes = %v, %q, %v; want refused, for U2", ok, user, err)
	}
	if ok, user, err := db.UseResponseURL(ctx, "https://never.recorded/", 5, 30*time.Minute); !ok || user != "" || err != nil {
		t.Errorf("unknown URL = %v, %q, %v; want allowed with no user", ok, user, err)
	}

	var stored int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM response_urls WHERE url_hash LIKE '%secret%' OR user_id LIKE '%secret%'`).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("a response_url is stored in clear (%d rows, %v)", stored, err)
	}
	if strings.Contains(hashURL(url), "secret") {
		t.Error("hashURL keeps the URL")
	}
}

func TestResponseURLLastUseGoesToOneCaller(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		const url = "https://hooks.slack.com/actions/T1/1/secret"
		if err := db.RecordResponseURL(ctx, url, "U1", "C1"); err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			allowed int
		)
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := db.UseResponseURL(ctx, url, 5, 30*time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if allowed != 5 {
			t.Errorf("12 concurrent uses: %d allowed; want 5", allowed)
		}
	})
}
