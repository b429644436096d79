package ops_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"dobot"
	"dobot/ops"
)

// timers is an ExpiryStore with fixed contents.
type timers struct {
	requests []dobot.Operation
	apps     []dobot.App
}

func (s timers) ExpiredApprovals(context.Context, time.Time) ([]dobot.Operation, error) {
	return s.requests, nil
}
func (s timers) Apps(context.Context) ([]dobot.App, error) { return s.apps, nil }

func TestExpiryLoopsActOnWhatIsDue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exp := t0.Add(time.Hour)
	store := timers{
		requests: []dobot.Operation{{ID: 7}},
		apps: []dobot.App{{Name: "gone", Expiry: dobot.Expiry{ExpiresAt: t0}}, {Name: "soon", Expiry: dobot.Expiry{ExpiresAt: t0.Add(time.Minute)}},
			{Name: "later", Expiry: dobot.Expiry{ExpiresAt: exp}}, {Name: "forever"}},
	}
	expired, reminded, torn := make(chan int64, 10), make(chan string, 10), make(chan string, 10)
	e := &ops.Expiry{Store: store, Now: func() time.Time { return t0 }, Log: slog.New(slog.DiscardHandler),
		ApprovalTTL: time.Millisecond, AppsEvery: time.Millisecond,
		ExpireRequest: func(_ context.Context, op dobot.Operation) { offer(expired, op.ID) },
		Remind:        func(_ context.Context, app dobot.App) { offer(reminded, app.Name) },
		ExpireApp:     func(_ context.Context, app dobot.App) { offer(torn, app.Name) },
	}
	go e.RequestsLoop(ctx)
	go e.AppsLoop(ctx)
	if id := <-expired; id != 7 {
		t.Errorf("expired request #%d; want #7", id)
	}
	if name := <-torn; name != "gone" {
		t.Errorf("tore down %s; want gone", name)
	}
	if name := <-reminded; name != "soon" {
		t.Errorf("reminded %s; want soon", name)
	}
}

// offer sends v unless ch is full: the loops keep ticking after the test
// has what it waits for.
func offer[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}
