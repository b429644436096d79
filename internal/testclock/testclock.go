// Package testclock is a clock a test moves by hand, safe to read from the
// goroutines of the code under test (a store, a simulator, a Slack test
// server).
package testclock

import (
	"sync"
	"time"
)

// Clock reads the time it was set to until Advance moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New is a clock that reads t.
func New(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
