package store

import (
	"context"
	"sync"
	"time"
)

// SQLite's WAL grows with every commit until a checkpoint copies it into
// the database file. By default the commit that crosses 1,000 pages runs the
// checkpoint itself, with two fsyncs, so every hundredth command or so
// waited milliseconds for the disk before its answer. The store turns that
// off (wal_autocheckpoint(0) in the DSN) and checkpoints from a goroutine
// of its own instead, which waits on the disk off every command's path.
// PASSIVE never blocks writers or readers: SQLite lets a checkpoint and
// a write run at once, and the next writer restarts the WAL once a
// checkpoint has copied all of it.
const (
	// checkpointEveryCommits kicks a checkpoint after this many commits.
	checkpointEveryCommits = 100
	// checkpointEvery checkpoints what a slow trickle of commits left.
	checkpointEvery = 5 * time.Second
)

// checkpointer runs PASSIVE checkpoints for a SQLite store.
type checkpointer struct {
	kick    chan struct{}
	stop    chan struct{}
	done    sync.WaitGroup
	commits int // guarded by the store's writeMu
}

// startCheckpointer starts db's checkpoint goroutine; Close stops it.
func (db *DB) startCheckpointer() {
	c := &checkpointer{kick: make(chan struct{}, 1), stop: make(chan struct{})}
	db.ckpt = c
	c.done.Go(func() {
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		dirty := false
		for {
			select {
			case <-c.stop:
				return
			case <-c.kick:
			case <-tick.C:
				if !dirty {
					continue
				}
			}
			// A failed checkpoint only leaves the WAL longer; the next
			// one, or closing the store, copies it.
			_, err := db.sql.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
			dirty = err != nil
			select {
			case <-c.kick: // commits since this checkpoint began
				dirty = true
			default:
			}
		}
	})
}

// committed notes a commit, under writeMu, and kicks a checkpoint now and
// then.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	c.commits++
	if c.commits%checkpointEveryCommits == 0 {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// close stops the goroutine and waits for it.
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	close(c.stop)
	c.done.Wait()
}
