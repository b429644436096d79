package console

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"dobot"
	"dobot/commands"
)

// storePoll is how often waiting re-reads the store even when no operation
// has started or finished: a backstop, not the means of synchronisation.
const storePoll = 500 * time.Millisecond

// tracker counts operations in flight, as the bot's commands.Observer.
type tracker struct {
	next commands.Observer // may be nil

	mu       sync.Mutex
	inFlight int
	commands int           // commands done, so a form's submission can wait for its own
	changed  chan struct{} // closed, and replaced, at every start and finish
}

func newTracker() *tracker { return &tracker{changed: make(chan struct{})} }

func (t *tracker) CommandDone(name, result string) {
	t.mu.Lock()
	t.commands++
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
	if t.next != nil {
		t.next.CommandDone(name, result)
	}
}

func (t *tracker) OperationStarted() {
	t.add(1)
	if t.next != nil {
		t.next.OperationStarted()
	}
}

func (t *tracker) OperationFinished() {
	t.add(-1)
	if t.next != nil {
		t.next.OperationFinished()
	}
}

func (t *tracker) add(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inFlight += n
	close(t.changed)
	t.changed = make(chan struct{})
}

// state is the number in flight and a channel closed at the next change.
func (t *tracker) state() (int, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.inFlight, t.changed
}

// waitOps waits until no operation runs, or limit passes, or ctx ends. It
// returns the operations still running.
//
// Two sources together make this exact. The store marks a command's
// operation running before Handle returns, but its goroutine reports the
// start later; the goroutine reports its finish only after its last
// message, but the store marks the operation finished before that. So the
// wait ends when both say nothing runs, and rechecks at every start and
// finish.
func (c *Console) waitOps(ctx context.Context, limit time.Duration) ([]dobot.Operation, error) {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	poll := time.NewTicker(storePoll)
	defer poll.Stop()
	for {
		n, changed := c.ops.state()
		running, err := c.running(ctx)
		if err != nil {
			return nil, err
		}
		if n <= 0 && len(running) == 0 {
			return nil, nil
		}
		select {
		case <-changed:
		case <-poll.C:
		case <-deadline.C:
			return running, nil
		case <-ctx.Done():
			return running, ctx.Err()
		}
	}
}

// running lists the store's running operations.
func (c *Console) running(ctx context.Context) ([]dobot.Operation, error) {
	ops, err := c.opts.Store.UnfinishedOperations(ctx)
	if err != nil {
		return nil, fmt.Errorf("load running operations: %w", err)
	}
	var out []dobot.Operation
	for _, op := range ops {
		if op.State == dobot.OpRunning {
			out = append(out, op)
		}
	}
	return out, nil
}

// opList names operations: "launch demo (#3), teardown web (#4)".
func opList(ops []dobot.Operation) string {
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s %s (#%d)", op.Action, op.App, op.ID)
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
