package sqldb

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
	// checkpointIdle is how often the goroutine looks: a checkpoint starts
	// once a look finds no commit since the one before.
	checkpointIdle = 200 * time.Millisecond
	// checkpointMaxCommits bounds the WAL (about 11 pages a command).
	checkpointMaxCommits = 1000
)

// Checkpointer runs PASSIVE checkpoints for a SQLite store. A commit only
// adds to a counter: the goroutine wakes on its own clock, never once per
// commit, so that it takes no CPU from a burst of commands. A nil
// *Checkpointer (PostgreSQL, read-only stores) does nothing.
type Checkpointer struct {
	stop    chan struct{}
	done    sync.WaitGroup
	commits atomic.Int64 // ever
}

// StartCheckpointer starts checkpointing the SQLite database behind c
// (opened with wal_autocheckpoint(0)); Close stops it.
func StartCheckpointer(c Conn) *Checkpointer {
	ck := &Checkpointer{stop: make(chan struct{})}
	ck.done.Go(func() {
		tick := time.NewTicker(checkpointIdle)
		defer tick.Stop()
		var seen, copied int64 // commits at the last look, and at the last checkpoint
		for {
			select {
			case <-ck.stop:
				return
			case <-tick.C:
			}
			now := ck.commits.Load()
			paused := now == seen
			seen = now
			if now == copied || (!paused && now-copied < checkpointMaxCommits) {
				continue
			}
			copied = now
			// A failed checkpoint only leaves the WAL longer; the next
			// one, or closing the store, copies it.
			_, _ = c.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	})
	return ck
}

// Committed notes a commit.
func (c *Checkpointer) Committed() {
	if c != nil {
		c.commits.Add(1)
	}
}

// Close stops the goroutine and waits for it.
func (c *Checkpointer) Close() {
	if c == nil {
		return
	}
	close(c.stop)
	c.done.Wait()
}
