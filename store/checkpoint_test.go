package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCommitsLeaveCheckpointsToTheStore: no commit checkpoints the WAL
// itself (wal_autocheckpoint(0)): with the store's checkpointer stopped,
// the WAL grows past SQLite's default threshold of 1,000 pages.
func TestCommitsLeaveCheckpointsToTheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.ckpt.Close()
	db.ckpt = nil
	ctx := context.Background()
	var pageSize int64
	if err := db.sql.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := db.MarkHandled(ctx, fmt.Sprintf("env:%d", i)); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 1100*pageSize {
			return // past the default threshold, and not reset
		}
		if i > 5000 {
			t.Fatalf("after %d commits the WAL is %d bytes; want it past 1,100 pages (%d bytes): a commit checkpointed it", i, st.Size(), 1100*pageSize)
		}
	}
}

// TestCheckpointerCopiesTheWAL: the store's own goroutine checkpoints, so
// the rows reach the database file without any commit doing it.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dobot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const n = 10 // then the commits pause, which starts a checkpoint
	for i := range n {
		if _, err := db.MarkHandled(ctx, fmt.Sprintf("env:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// The database file alone, without its WAL, as a copy of it would be.
	count := func() int {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		copyPath := filepath.Join(dir, "main-only.db")
		if err := os.WriteFile(copyPath, b, 0o600); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro&immutable=1")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var got int
		if err := raw.QueryRow(`SELECT count(*) FROM handled`).Scan(&got); err != nil {
			return -1 // the file may be caught between pages: look again
		}
		return got
	}
	deadline := time.Now().Add(15 * time.Second)
	for got := count(); got < n; got = count() {
		if time.Now().After(deadline) {
			t.Fatalf("the database file holds %d of %d handled keys 15 s after the commits; want all: nothing checkpointed the WAL", got, n)
		}
		time.Sleep(20 * time.Millisecond) // polling the file, not ordering events
	}
}
