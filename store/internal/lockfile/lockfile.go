// Package lockfile keeps a SQLite store to one bot process: an exclusive
// flock on a file beside the database, dropped by the kernel when the
// process dies.
package lockfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Path is the file beside a SQLite database that the bot holds locked
// while it runs: SQLite serves one bot process, and a second one on the
// same file would do every piece of work twice.
func Path(dbPath string) string { return dbPath + ".lock" }

// processLocks holds the lock files this process has open, by path, with
// how many stores use each: flock locks belong to an open file, so a second
// store in one process (a test, the console beside its own reads) shares
// the first one's lock instead of refusing itself.
var processLocks = struct {
	sync.Mutex
	held map[string]*heldLock
}{held: map[string]*heldLock{}}

type heldLock struct {
	f    *os.File
	refs int
}

// ErrLocked means another process has the SQLite database open as a bot.
var ErrLocked = errors.New("another dobot process is using this SQLite database")

// Take takes an exclusive, non-blocking flock on Path(path) for this
// process and returns what releases it. The kernel drops the lock when the
// process dies, so a crash never leaves a stale lock behind. Read-only opens
// (bot audit verify, export) take no lock.
func Take(path string) (release func() error, err error) {
	abs, err := filepath.Abs(Path(path))
	if err != nil {
		return nil, err
	}
	processLocks.Lock()
	defer processLocks.Unlock()
	if h, ok := processLocks.held[abs]; ok {
		h.refs++
		return releaser(abs), nil
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (it holds %s): SQLite serves one bot process at a time; stop the other one first", ErrLocked, abs)
		}
		return nil, fmt.Errorf("lock %s: %w", abs, err)
	}
	processLocks.held[abs] = &heldLock{f: f, refs: 1}
	return releaser(abs), nil
}

func releaser(abs string) func() error {
	var once sync.Once
	return func() error {
		var err error
		once.Do(func() {
			processLocks.Lock()
			defer processLocks.Unlock()
			h := processLocks.held[abs]
			if h == nil {
				return
			}
			if h.refs--; h.refs > 0 {
				return
			}
			delete(processLocks.held, abs)
			// Closing the file drops the flock. The file stays: removing it
			// would let a process that opened it just before lock a file no
			// longer in the directory.
			err = h.f.Close()
		})
		return err
	}
}
