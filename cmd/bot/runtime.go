package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"dobot/chatview"
	"dobot/commands"
	"dobot/internal/config"
	"dobot/internal/metrics"
	"dobot/ops"
	"dobot/store"
	"dobot/watch"
)

// Shutdown budget: SIGTERM to exit stays under 10 s.
const (
	drainTimeout = 7 * time.Second
	stopTimeout  = 2 * time.Second
)

// runtime is the bot as serve and console share it: the store,
// DigitalOcean, the watcher and the commands, with the chat adapter as the
// one difference. Its goroutines run in one group, joined by stop.
type runtime struct {
	log    *slog.Logger
	db     *store.DB
	bot    *commands.Bot
	leases *ops.Leases // this replica's claims, released at stop
	group  *errgroup.Group

	// life outlives the signal: background work and running commands get
	// to finish while the adapter drains; stop cancels it.
	life     context.Context
	stopLife context.CancelFunc
}

// adapter is what tells serve from console.
type adapter struct {
	// chat builds the chat the bot talks through, given the store, and the
	// observer of the bot's operations.
	chat func(db *store.DB) (commands.Chat, commands.Observer)
	// views, when set, is the adapter's forms and home pages, asked for
	// after chat.
	views   func() chatview.Views
	metrics *metrics.Metrics // counts DigitalOcean calls; nil for none
	admins  []string         // made admins at start, beside BOT_ADMINS
	// ready, when set, checks the adapter can work (Slack takes the
	// token) once the store and DigitalOcean are set up, before anything
	// starts.
	ready func(ctx context.Context) error
}

// newRuntime opens the store, makes the admins, connects DigitalOcean,
// starts the watcher and builds the bot. The caller starts the bot when its
// adapter is ready, and calls stop whatever happens.
func newRuntime(ctx context.Context, cfg config.Config, log *slog.Logger, a adapter) (rt *runtime, err error) {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	admins := append(append([]string(nil), cfg.Admins...), a.admins...)
	if err := db.EnsureAdmins(ctx, admins); err != nil {
		return nil, fmt.Errorf("make %v admins: %w", admins, err)
	}
	cloud, do, err := newCloud(ctx, cfg, a.metrics)
	if err != nil {
		return nil, err
	}
	if a.ready != nil {
		if err := a.ready(ctx); err != nil {
			return nil, err
		}
	}
	life, stopLife := context.WithCancel(context.WithoutCancel(ctx))
	rt = &runtime{log: log, db: db, group: new(errgroup.Group), life: life, stopLife: stopLife}
	var pace watch.Pace
	if cfg.WatchInterval > 0 {
		pace = watch.Fixed(cfg.WatchInterval)
	}
	watcher := watch.New(do.Apps, log, pace)
	if store.IsPostgres(cfg.DBPath) {
		// Replicas share one DigitalOcean budget: one polls at a time.
		watcher.Share(&sharedWatch{db: db, instance: cfg.Instance})
	}
	rt.goroutine(func() error { watcher.Run(life); return nil })

	// On PostgreSQL several replicas may share the store: each claims
	// the operations and loops it runs. SQLite has one process (its lock
	// file refuses a second), so its claims stay in memory.
	rt.leases = &ops.Leases{Holder: cfg.Instance, TTL: cfg.Lease, Log: log.With("component", "leases")}
	if store.IsPostgres(cfg.DBPath) {
		rt.leases.Store = db
		rt.goroutine(func() error { rt.leases.Run(life); return nil })
	}

	chat, observer := a.chat(db)
	var views chatview.Views
	if a.views != nil {
		views = a.views()
	}
	rt.bot, err = commands.New(commands.Config{Region: cfg.DORegion, DefaultImage: cfg.DOImage, DefaultApp: cfg.DOAppName,
		DropletImage: cfg.DropletImage, Project: cfg.Project, ApprovalTTL: cfg.ApprovalTTL, AuditChannel: cfg.AuditChannel, MaxTTL: cfg.MaxTTL,
		ElsewhereEvery: cfg.ElsewhereInterval},
		commands.Deps{Store: db, Cloud: cloud, Chat: chat, Images: newImages(cfg), Watcher: watcher, Log: log,
			SecretKey: db.DeriveKey("secret values v1"), Observer: observer, Leases: rt.leases, Views: views})
	if err != nil {
		rt.stopLife()
		_ = rt.group.Wait()
		return nil, err
	}
	return rt, nil
}

// start resumes unfinished operations and starts the bot's background work.
func (rt *runtime) start() error { return rt.bot.Start(rt.life) }

// goroutine runs fn in the runtime's group, turning a panic into an error.
func (rt *runtime) goroutine(fn func() error) {
	rt.group.Go(func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
				rt.log.Error("panic in a background goroutine", "panic", p)
			}
		}()
		return fn()
	})
}

// stop cancels background work, waits up to stopTimeout for it and for the
// runtime's goroutines, and closes the store last. It returns the first
// goroutine's error.
func (rt *runtime) stop() error {
	rt.stopLife()
	done := make(chan error, 1)
	go func() {
		rt.bot.Wait()
		done <- rt.group.Wait()
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(stopTimeout):
		rt.log.Warn("background work still running at exit; unfinished operations resume at the next start")
	}
	// Hand what is unfinished to the other replicas at once.
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	rt.leases.Drain(ctx)
	cancel()
	if cerr := rt.db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close the store: %w", cerr)
	}
	return err
}
