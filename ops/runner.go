package ops

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
)

// Runner runs background work (operations, loops, audit mirroring) under
// one lifetime context, and waits for all of it at shutdown. It is safe for
// concurrent use; the zero value runs work under context.Background until
// Start.
type Runner struct {
	Log *slog.Logger

	mu       sync.Mutex
	life     context.Context // outlives single commands; canceled at shutdown
	stopping bool            // Wait has begun: no new background work
	wg       sync.WaitGroup
}

// Start gives the runner the context background work runs under. Cancel
// ctx to stop the work; Wait then returns once it has stopped.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.life = ctx
}

// Stopping reports whether the lifetime context has ended: work cut short
// now is to resume at the next start, not to be failed.
func (r *Runner) Stopping() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.life != nil && r.life.Err() != nil
}

// Go runs fn under the lifetime context, recovering a panic. Work asked for
// once Wait has begun is not started: unfinished operations resume at the
// next start. It reports whether fn was started.
func (r *Runner) Go(ref string, fn func(ctx context.Context)) bool {
	r.mu.Lock()
	ctx := r.life
	if ctx == nil {
		ctx = context.Background()
	}
	if r.stopping {
		r.mu.Unlock()
		r.log().Info("not starting background work while stopping", "ref", ref)
		return false
	}
	r.wg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				r.log().Error("panic in background work", "ref", ref, "panic", p, "stack", string(debug.Stack()))
			}
		}()
		fn(ctx)
	}()
	return true
}

// Wait blocks until background work has stopped, and refuses new work from
// the moment it begins.
func (r *Runner) Wait() {
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	r.wg.Wait()
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}
