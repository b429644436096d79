package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/digitalocean/godo"
	"github.com/slack-go/slack"
	"golang.org/x/oauth2"

	"dobot/commands"
	"dobot/imagecheck"
	"dobot/internal/config"
	"dobot/internal/health"
	"dobot/internal/metrics"
	"dobot/slackbot"
	"dobot/store"
	"dobot/watch"
)

// Shutdown budget: SIGTERM to exit stays under 10 s.
const (
	drainTimeout = 7 * time.Second
	stopTimeout  = 2 * time.Second
)

func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "dobot: configuration problems:")
		for _, line := range splitJoined(err) {
			fmt.Fprintln(stderr, "  "+line)
		}
		return errors.New("fix the settings above and start again")
	}
	// Every line names the instance, so replicas' logs can be told apart.
	log := newLogger(stderr).With("instance", cfg.Instance)
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close() // deferred first, so it runs last
	if err := db.EnsureAdmins(ctx, cfg.Admins); err != nil {
		return fmt.Errorf("make BOT_ADMINS admins: %w", err)
	}

	m := metrics.New()
	cloud, do, err := newCloud(ctx, cfg, m)
	if err != nil {
		return err
	}
	slackHTTP := &http.Client{Transport: m.Transport(metrics.Slack, nil), Timeout: 30 * time.Second}
	api := slack.New(cfg.SlackBotToken, slack.OptionAppLevelToken(cfg.SlackAppToken), slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionHTTPClient(slackHTTP))
	if _, err := api.AuthTestContext(ctx); err != nil {
		return fmt.Errorf("Slack refused SLACK_BOT_TOKEN (%v); check the bot token (xoxb-…) and that the app is installed", err)
	}

	// life outlives the signal: background work and running commands get to
	// finish while the listener drains.
	life, stopLife := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLife()
	var pace watch.Pace
	if cfg.WatchInterval > 0 {
		pace = watch.Fixed(cfg.WatchInterval)
	}
	watcher := watch.New(do.Apps, log, pace)
	go watcher.Run(life)

	chat := slackbot.NewChat(api, slackHTTP, log)
	chat.TrackResponseURLs(db)
	bot, err := commands.New(commands.Config{Region: cfg.DORegion, DefaultImage: cfg.DOImage, DefaultApp: cfg.DOAppName, DropletImage: cfg.DropletImage,
		ApprovalTTL: cfg.ApprovalTTL, AuditChannel: cfg.AuditChannel, MaxTTL: cfg.MaxTTL},
		commands.Deps{Store: db, Cloud: cloud, Chat: chat, Images: newImages(cfg), Watcher: watcher, Log: log, SecretKey: db.DeriveKey("secret values v1"), Observer: m})
	if err != nil {
		return err
	}
	if err := bot.Start(life); err != nil {
		return err
	}
	listener := slackbot.NewListener(api, chat, bot, 16, log)
	listener.RememberHandled(db.MarkHandled)
	listener.ObserveAcks(m.AckLatency)
	if cfg.HTTPAddr != "off" {
		srv := health.NewServer(cfg.HTTPAddr, health.Checks{Store: db.Ping, SlackState: listener.State, Instance: cfg.Instance}, m)
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("health and metrics server stopped; the bot runs on without it", "addr", cfg.HTTPAddr, "err", err)
			}
		}()
		defer srv.Close()
	}
	socket, stopSocket := context.WithCancel(life)
	defer stopSocket()
	listenErr := make(chan error, 1)
	go func() { listenErr <- listener.Run(socket, life) }()
	log.Info("dobot started", "region", cfg.DORegion, "db", store.RedactURL(cfg.DBPath))

	select {
	case <-ctx.Done():
		log.Info("stopping: finishing running commands", "timeout", drainTimeout)
	case err := <-listenErr:
		if err != nil {
			return err
		}
	}
	if !listener.Drain(drainTimeout) {
		log.Warn("commands still running at shutdown; their operations resume at the next start")
	}
	stopSocket()
	stopLife()
	waitTimeout(bot.Wait, stopTimeout)
	log.Info("stopped")
	return nil
}

// newImages is the pre-flight image check, with the registry settings and
// the DigitalOcean token for registry.digitalocean.com.
func newImages(cfg config.Config) *imagecheck.Checker {
	return &imagecheck.Checker{Transport: http.DefaultTransport, Mirrors: cfg.RegistryMirrors,
		Credentials: cfg.RegistryCredentials, DOToken: cfg.DOToken, Timeout: imagecheck.DefaultTimeout}
}

// newCloud is DigitalOcean for the commands: the retrying client, plus one
// without retries for creates that must not be repeated blindly.
func newCloud(ctx context.Context, cfg config.Config, m *metrics.Metrics) (commands.Cloud, *godo.Client, error) {
	do, err := doClient(ctx, cfg, m, true)
	if err != nil {
		return commands.Cloud{}, nil, err
	}
	once, err := doClient(ctx, cfg, m, false)
	if err != nil {
		return commands.Cloud{}, nil, err
	}
	cloud := commands.CloudOf(do)
	cloud.DropletCreates = once.Droplets
	return cloud, do, nil
}

// doClient builds a godo client; with retries it retries 429 and 5xx
// answers with backoff, honouring Retry-After. godo's retrying client needs
// an oauth2 transport.
func doClient(ctx context.Context, cfg config.Config, m *metrics.Metrics, retries bool) (*godo.Client, error) {
	httpClient := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.DOToken}))
	httpClient.Timeout = 30 * time.Second
	opts := []godo.ClientOpt{godo.SetBaseURL(cfg.DOAPIURL), godo.SetUserAgent("dobot")}
	if retries {
		waitMin, waitMax := 0.5, 20.0
		opts = append(opts, godo.WithRetryAndBackoffs(godo.RetryConfig{RetryMax: 6, RetryWaitMin: &waitMin, RetryWaitMax: &waitMax}))
	}
	client, err := godo.New(httpClient, opts...)
	if err != nil {
		return nil, fmt.Errorf("DigitalOcean client: %w", err)
	}
	// godo rebuilds its transport when it adds retries, so metrics wrap the
	// outside: one count per call, before oauth2 adds the token.
	client.HTTPClient.Transport = m.Transport(metrics.DigitalOcean, client.HTTPClient.Transport)
	return client, nil
}

func waitTimeout(wait func(), d time.Duration) {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// newLogger logs JSON, or text when stderr is a terminal.
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, nil))
		}
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// splitJoined lists the errors inside an errors.Join.
func splitJoined(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}
