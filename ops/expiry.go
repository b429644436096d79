package ops

import (
	"context"
	"log/slog"
	"time"

	"dobot"
)

// ExpiryStore is where the timers live: requests waiting for a decision
// and apps launched with a TTL. Keeping them in the store makes them
// survive restarts.
type ExpiryStore interface {
	ExpiredApprovals(ctx context.Context, now time.Time) ([]dobot.Operation, error)
	Apps(ctx context.Context) ([]dobot.App, error)
}

// Expiry runs the bot's timers: it expires requests whose time is up, so
// their cards lose their buttons even when nobody clicks, reminds the
// owners of expiring apps, and tears expired apps down, each through the
// caller's functions.
type Expiry struct {
	Store       ExpiryStore
	Now         func() time.Time
	Log         *slog.Logger
	ApprovalTTL time.Duration // sets how often requests are checked
	AppsEvery   time.Duration // how often apps are checked

	ExpireRequest func(ctx context.Context, op dobot.Operation)
	Remind        func(ctx context.Context, app dobot.App)
	ExpireApp     func(ctx context.Context, app dobot.App)
}

// RequestsLoop expires requests until ctx ends.
func (e *Expiry) RequestsLoop(ctx context.Context) {
	every := min(max(e.ApprovalTTL/10, 200*time.Millisecond), 15*time.Second)
	tick(ctx, every, func() {
		ops, err := e.Store.ExpiredApprovals(ctx, e.Now())
		if err != nil {
			e.Log.Warn("look for expired requests", "err", err)
			return
		}
		for _, op := range ops {
			e.ExpireRequest(ctx, op)
		}
	})
}

// AppsLoop sends reminders and tears down expired apps until ctx ends.
func (e *Expiry) AppsLoop(ctx context.Context) {
	tick(ctx, e.AppsEvery, func() {
		apps, err := e.Store.Apps(ctx)
		if err != nil {
			e.Log.Warn("look for expiring apps", "err", err)
			return
		}
		now := e.Now()
		for _, app := range apps {
			switch DueAt(app, now) {
			case TTLExpire:
				e.ExpireApp(ctx, app)
			case TTLRemind:
				e.Remind(ctx, app)
			}
		}
	})
}

// tick calls fn every d until ctx ends.
func tick(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fn()
	}
}
