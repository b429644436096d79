package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"dobot"
)

// readCache keeps the answers of hot reads (Role, Apps, App,
// UnfinishedOperations) in memory until the next commit: any SQL on the
// answer path costs more than a read-only command may take. It is sound only
// where this process makes every write, so only SQLite stores opened by Open
// have one; a nil *readCache caches nothing.
//
// Each entry is tagged with the generation its read started in, and every
// commit moves the generation on (writeTx), so a read that raced a commit
// can never install what it read before the commit.
type readCache struct {
	gen atomic.Uint64

	mu      sync.RWMutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	gen   uint64
	value any
}

// maxReadCacheEntries bounds the cache: a workspace with more users than
// this starts over rather than growing without end.
const maxReadCacheEntries = 1024

func newReadCache() *readCache {
	return &readCache{entries: make(map[string]cacheEntry)}
}

// snapshot returns the generation to pass to put. Take it before the query.
func (c *readCache) snapshot() uint64 {
	if c == nil {
		return 0
	}
	return c.gen.Load()
}

// get returns the value stored under key in the current generation.
func (c *readCache) get(key string) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen.Load() {
		return nil, false
	}
	return e.value, true
}

// put stores v under key if no commit has happened since gen was taken.
func (c *readCache) put(key string, gen uint64, v any) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen.Load() {
		return
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= maxReadCacheEntries {
		clear(c.entries)
	}
	c.entries[key] = cacheEntry{gen: gen, value: v}
}

// invalidate forgets every entry. Call it after a commit, before the write
// returns, so that the writer's next read sees its own write.
func (c *readCache) invalidate() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen.Add(1)
	clear(c.entries)
	c.mu.Unlock()
}

// cachedResult is what a cache entry holds: a value, or a not-found error.
type cachedResult[T any] struct {
	value T
	err   error
}

// cached answers read from db's read cache under key, or runs read and keeps
// its answer when it is a value or a not-found error; other errors are never
// kept. clone copies what a caller could change (a slice's backing array),
// both into the cache and out of it on every hit.
func cached[T any](db *DB, key string, clone func(T) T, read func() (T, error)) (T, error) {
	if db.reads == nil {
		return read()
	}
	if v, ok := db.reads.get(key); ok {
		if r, ok := v.(cachedResult[T]); ok {
			return clone(r.value), r.err
		}
	}
	gen := db.reads.snapshot()
	v, err := read()
	if err == nil || errors.Is(err, dobot.ErrNotFound) {
		db.reads.put(key, gen, cachedResult[T]{value: clone(v), err: err})
	}
	return v, err
}

// same is clone for values that hold nothing a caller could change.
func same[T any](v T) T { return v }

// The cached types hold only strings, numbers, bools and time.Time (no
// slices, maps or pointers; TestCachedTypesHoldNoReferences checks), so
// copying the slice copies everything.
var (
	cloneApps       = slices.Clone[[]dobot.App]
	cloneOperations = slices.Clone[[]dobot.Operation]
)

// sharedReads holds one read cache per SQLite file this process has open:
// the lock file lets two stores in one process share a file (tests, a
// console beside the bot), and each must drop the other's cached reads when
// it commits.
var sharedReads = struct {
	sync.Mutex
	byPath map[string]*sharedReadCache
}{byPath: map[string]*sharedReadCache{}}

type sharedReadCache struct {
	cache *readCache
	refs  int
}

// openReadCache returns the read cache of the SQLite file at path and what
// gives it back when the store closes.
func openReadCache(path string) (*readCache, func(), error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read cache: %w", err)
	}
	sharedReads.Lock()
	defer sharedReads.Unlock()
	s := sharedReads.byPath[abs]
	if s == nil {
		s = &sharedReadCache{cache: newReadCache()}
		sharedReads.byPath[abs] = s
	}
	s.refs++
	var once sync.Once
	release := func() {
		once.Do(func() {
			sharedReads.Lock()
			defer sharedReads.Unlock()
			if s.refs--; s.refs == 0 {
				delete(sharedReads.byPath, abs)
			}
		})
	}
	return s.cache, release, nil
}
