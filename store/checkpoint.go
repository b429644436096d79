package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite's WAL grows with every commit until a checkpoint copies it into
// the database file. By default the commit that crosses 1,000 pages runs the
// checkpoint itself, with two fsyncs, so every hundredth command or so
// waited for the disk before its answer. The store turns that off
// (wal_autocheckpoint(0) in the DSN) and checkpoints from a goroutine of
// its own instead, once commits pause: a burst of commands is not slowed by
// checkpoints competing for the CPU, and pages that every command changes
// (the audit table's last page, its indexes') are copied once per pause
// rather than once per hundred commands. Under steady load that never
// pauses, it checkpoints every checkpointMaxCommits commits. PASSIVE never
// blocks writers or readers: SQLite lets a checkpoint and a write run at
// once, and the next writer restarts the WAL once a checkpoint has copied
// all of it.
const (
	// checkpointIdle is the pause in commits that starts a checkpoint.
	checkpointIdle = 200 * time.Millisecond
	// checkpointMaxCommits bounds the WAL (about 11 pages a command).
	checkpointMaxCommits = 1000
)

// checkpointer runs PASSIVE checkpoints for a SQLite store.
type checkpointer struct {
	kick  chan struct{}
	stop  chan struct{}
	done  sync.WaitGroup
	since atomic.Int64 // commits since the last checkpoint began
}

// startCheckpointer starts db's checkpoint goroutine; Close stops it.
func (db *DB) startCheckpointer() {
	c := &checkpointer{kick: make(chan struct{}, 1), stop: make(chan struct{})}
	db.ckpt = c
	c.done.Go(func() {
		idle := time.NewTimer(checkpointIdle)
		idle.Stop()
		checkpoint := func() {
			c.since.Store(0)
			// A failed checkpoint only leaves the WAL longer; the next
			// one, or closing the store, copies it.
			_, _ = db.sql.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		}
		for {
			select {
			case <-c.stop:
				idle.Stop()
				return
			case <-c.kick:
				if c.since.Load() >= checkpointMaxCommits {
					checkpoint()
					continue
				}
				idle.Reset(checkpointIdle)
			case <-idle.C:
				if c.since.Load() > 0 {
					checkpoint()
				}
			}
		}
	})
}

// committed notes a commit and tells the goroutine.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	c.since.Add(1)
	select {
	case c.kick <- struct{}{}:
	default:
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
