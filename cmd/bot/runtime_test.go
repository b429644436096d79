package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"dobot/commands"
	"dobot/console"
	"dobot/internal/config"
	"dobot/internal/dosim"
	"dobot/store"
)

// newTestRuntime builds the runtime serve and console share, on the
// simulator and a fresh SQLite file, with the console as its chat.
func newTestRuntime(t *testing.T) *runtime {
	t.Helper()
	sim, err := dosim.Start(dosim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "xapp-x", "DO_API_TOKEN": sim.Token(),
		"DO_API_URL": sim.URL(), "BOT_DB": filepath.Join(t.TempDir(), "dobot.db"), "BOT_ADMINS": "UADMIN1"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rt, err := newRuntime(context.Background(), cfg, log, adapter{admins: []string{console.DefaultUser},
		chat: func(db *store.DB) (commands.Chat, commands.Observer) {
			con := console.New(io.Discard, console.Options{Store: db})
			return con, con.Observer(nil)
		}})
	if err != nil {
		t.Fatalf("newRuntime: %v", err)
	}
	return rt
}

// stop joins the runtime's goroutines, returns the first one's error and
// closes the store after them.
func TestRuntimeStopJoinsGoroutinesAndClosesTheStoreLast(t *testing.T) {
	rt := newTestRuntime(t)
	if err := rt.start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	ctx := context.Background()
	for _, admin := range []string{"UADMIN1", console.DefaultUser} {
		if role, err := rt.db.Role(ctx, admin); err != nil || role.String() != "admin" {
			t.Errorf("role of %s = %v, %v; want admin", admin, role, err)
		}
	}
	failed := errors.New("socket gave up")
	storeOpen := make(chan error, 1)
	rt.goroutine(func() error {
		<-rt.life.Done()
		// The store is still open while the group winds down.
		storeOpen <- rt.db.Ping(context.Background())
		return failed
	})
	rt.goroutine(func() error { panic("boom") })
	if err := rt.stop(); !errors.Is(err, failed) && (err == nil || err.Error() != "panic: boom") {
		t.Errorf("stop() = %v; want the goroutines' first error", err)
	}
	if err := <-storeOpen; err != nil {
		t.Errorf("store closed before the goroutines finished: %v", err)
	}
	if err := rt.db.Ping(ctx); err == nil {
		t.Error("store still open after stop")
	}
}
