package auditjournal

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrDuplicate means a record with the same key is already waiting.
var ErrDuplicate = errors.New("already in the audit journal")

const (
	// Linger is how long the committer waits after the first record for
	// others to share its commit.
	Linger = 10 * time.Millisecond
	// batch records commit at once without waiting out the linger.
	batch = 256
	// rewriteAbove is the size past which a file that still holds
	// uncommitted records after a commit is rewritten without the
	// committed ones, rather than left to grow.
	rewriteAbove = 1 << 20
)

// Journal is the file and the records in it not yet committed. It is
// safe for concurrent use.
type Journal struct {
	mu      sync.Mutex
	file    *File
	pending []Record
	keys    map[string]struct{} // the pending records' keys
	closed  bool
	err     error // the last failure to empty the file, reported by Close

	count atomic.Int64  // len(pending), read without the lock
	bell  chan struct{} // rung at each Add, buffered
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	ran   atomic.Bool // StartCommitter was called
}

// OpenJournal opens the journal at path; the records a crash left in it
// are pending.
func OpenJournal(path string) (*Journal, error) {
	file, left, err := Open(path)
	if err != nil {
		return nil, err
	}
	j := &Journal{file: file, pending: left, keys: make(map[string]struct{}, len(left)),
		bell: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for _, rec := range left {
		j.keys[rec.Key] = struct{}{}
	}
	j.count.Store(int64(len(left)))
	return j, nil
}

// Add writes rec to the file and keeps it pending. A key already pending
// fails with ErrDuplicate.
func (j *Journal) Add(rec Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errors.New("the audit journal is closed")
	}
	if _, dup := j.keys[rec.Key]; dup {
		return fmt.Errorf("envelope %q: %w", rec.Key, ErrDuplicate)
	}
	if err := j.file.Append(rec); err != nil {
		return err
	}
	j.pending = append(j.pending, rec)
	j.keys[rec.Key] = struct{}{}
	j.count.Store(int64(len(j.pending)))
	select {
	case j.bell <- struct{}{}:
	default:
	}
	return nil
}

// Pending is how many records wait for a commit.
func (j *Journal) Pending() int { return int(j.count.Load()) }

// Waiting returns the records pending now, oldest first. Once they are
// committed, call Committed with their number.
func (j *Journal) Waiting() []Record {
	if j.Pending() == 0 {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.pending[:len(j.pending):len(j.pending)]
}

// Committed drops the first n pending records, now in the database, and
// empties the file once nothing is pending. A file that cannot be emptied
// is replayed again at the next open, where each record it holds is found
// committed already.
func (j *Journal) Committed(n int) {
	if n == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, rec := range j.pending[:n] {
		delete(j.keys, rec.Key)
	}
	j.pending = append([]Record(nil), j.pending[n:]...)
	j.count.Store(int64(len(j.pending)))
	var err error
	switch {
	case len(j.pending) == 0:
		err = j.file.Reset()
	case j.file.Size() > rewriteAbove:
		err = j.file.Rewrite(j.pending)
	}
	if err != nil {
		j.err = err
	}
}

// StartCommitter runs commit in the background after each Add, lingering
// first so that records added meanwhile share it. A failed commit leaves
// the records pending for the next.
func (j *Journal) StartCommitter(commit func() error) {
	j.ran.Store(true)
	go func() {
		defer close(j.done)
		for {
			select {
			case <-j.bell:
			case <-j.stop:
				return
			}
			if j.Pending() < batch {
				linger := time.NewTimer(Linger)
				select {
				case <-linger.C:
				case <-j.stop:
					linger.Stop()
					return
				}
			}
			_ = commit()
		}
	}()
}

// StopCommitter stops the committer started by StartCommitter and waits
// for it.
func (j *Journal) StopCommitter() {
	j.once.Do(func() { close(j.stop) })
	if j.ran.Load() {
		<-j.done
	}
}

// Close refuses further records and closes the file, removing it when
// nothing is pending. It returns the last failure to empty the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	return errors.Join(j.err, j.file.Close())
}
