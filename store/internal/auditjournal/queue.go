package auditjournal

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrDuplicate means a record with the same key is already waiting.
var ErrDuplicate = errors.New("already in the audit journal")

const (
	// Linger is how long the committer waits after the first record for
	// others to share its commit. Readers of the trail commit first
	// anyway, so only CPU is at stake: at 200 commands a second, a 10 ms
	// linger spent about a quarter of the bot's CPU on commits, 100 ms a
	// tenth (BENCHMARKS.md, third session).
	Linger = 100 * time.Millisecond
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

	// The committer runs while a commit is attached (Attach).
	commits    []attached
	nextID     int
	stop, done chan struct{}
	running    sync.Mutex // held while the committer commits

	path string
	refs int // stores in this process using the journal (OpenJournal)
}

// open holds the journals this process has open, by path: two stores in
// one process may open one SQLite file (the lock file lets them), and two
// journals on one file would empty each other's.
var open = struct {
	sync.Mutex
	byPath map[string]*Journal
}{byPath: map[string]*Journal{}}

// OpenJournal opens the journal at path, or shares the one this process
// has open there; the records a crash left in it are pending. Each
// OpenJournal needs its Close.
func OpenJournal(path string) (*Journal, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open audit journal: %w", err)
	}
	open.Lock()
	defer open.Unlock()
	if j := open.byPath[abs]; j != nil {
		j.mu.Lock()
		j.refs++
		j.mu.Unlock()
		return j, nil
	}
	file, left, err := Open(abs)
	if err != nil {
		return nil, err
	}
	j := &Journal{file: file, pending: left, keys: make(map[string]struct{}, len(left)),
		bell: make(chan struct{}, 1), path: abs, refs: 1}
	for _, rec := range left {
		j.keys[rec.Key] = struct{}{}
	}
	j.count.Store(int64(len(left)))
	open.byPath[abs] = j
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

// Attach adds commit to the ways the committer may commit, starting the
// committer with the first: after each Add it lingers, so that records
// added meanwhile share one commit, then calls the latest commit attached.
// A failed commit leaves the records pending for the next. detach takes
// commit back, and stops the committer with the last; it returns once the
// committer no longer runs commit.
func (j *Journal) Attach(commit func() error) (detach func()) {
	j.mu.Lock()
	defer j.mu.Unlock()
	id := j.nextID
	j.nextID++
	j.commits = append(j.commits, attached{id, commit})
	if len(j.commits) == 1 {
		stop, done := make(chan struct{}), make(chan struct{})
		j.stop, j.done = stop, done
		go j.commitLoop(stop, done)
	}
	var once sync.Once
	return func() { once.Do(func() { j.detach(id) }) }
}

type attached struct {
	id     int
	commit func() error
}

func (j *Journal) detach(id int) {
	j.running.Lock() // no commit is in flight from here on
	j.mu.Lock()
	j.commits = slices.DeleteFunc(j.commits, func(a attached) bool { return a.id == id })
	stop, done := j.stop, j.done
	last := len(j.commits) == 0
	j.mu.Unlock()
	j.running.Unlock()
	if last {
		close(stop)
		<-done
	}
}

func (j *Journal) commitLoop(stop, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-j.bell:
		case <-stop:
			return
		}
		if j.Pending() < batch {
			linger := time.NewTimer(Linger)
			select {
			case <-linger.C:
			case <-stop:
				linger.Stop()
				return
			}
		}
		j.running.Lock()
		j.mu.Lock()
		var commit func() error
		if n := len(j.commits); n > 0 {
			commit = j.commits[n-1].commit
		}
		j.mu.Unlock()
		if commit != nil {
			_ = commit()
		}
		j.running.Unlock()
	}
}

// Close gives back one OpenJournal. The last refuses further records and
// closes the file, removing it when nothing is pending; it returns the
// last failure to empty the file.
func (j *Journal) Close() error {
	open.Lock()
	defer open.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	if j.refs--; j.refs > 0 {
		return nil
	}
	delete(open.byPath, j.path)
	j.closed = true
	return errors.Join(j.err, j.file.Close())
}
