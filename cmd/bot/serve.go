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

	"dobot/chatview"
	"dobot/commands"
	"dobot/imagecheck"
	"dobot/internal/config"
	"dobot/internal/health"
	"dobot/internal/metrics"
	"dobot/slackbot"
	"dobot/store"
)

// serve runs the bot in Slack mode. Every line it logs names the instance,
// so replicas' logs can be told apart, down to the error it stops on.
func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig(getenv, stderr)
	if err != nil {
		// Settings problems come before there is an instance to name
		// (BOT_INSTANCE may be one of them): these are plain lines.
		return err
	}
	log := newLogger(stderr).With("instance", cfg.Instance)
	if err := serveSlack(ctx, cfg, log); err != nil {
		// The store and Slack name no secret in their errors: the
		// database's password is xxxxx, the tokens only by their names.
		log.Error("dobot stopped on an error", "err", err)
		return &loggedError{err: err}
	}
	return nil
}

// serveSlack connects Slack and DigitalOcean, serves until a signal or a
// failure, and shuts down.
func serveSlack(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	m := metrics.New()
	slackHTTP := &http.Client{Transport: m.Transport(metrics.Slack, slackTransport()), Timeout: 30 * time.Second}
	api := slack.New(cfg.SlackBotToken, slack.OptionAppLevelToken(cfg.SlackAppToken), slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionHTTPClient(slackHTTP))
	chat := slackbot.NewChat(api, slackHTTP, log)
	views := slackbot.NewViews(chat, log)
	rt, err := newRuntime(ctx, cfg, log, adapter{metrics: m,
		ready: func(ctx context.Context) error {
			if _, err := api.AuthTestContext(ctx); err != nil {
				return fmt.Errorf("Slack refused SLACK_BOT_TOKEN (%v); check the bot token (xoxb-…) and that the app is installed", err)
			}
			return nil
		},
		chat: func(db *store.DB) (commands.Chat, commands.Observer) {
			chat.TrackResponseURLs(db)
			return chat, m
		},
		views: func() chatview.Views { return views }})
	if err != nil {
		return err
	}
	if err := rt.start(); err != nil {
		return errors.Join(err, rt.stop())
	}
	listener := slackbot.NewListener(api, chat, rt.bot, slackWorkers, log)
	// Each command's and click's handled key and response_url are recorded
	// with its first audit row, in one write transaction; other work (Home
	// tabs, forms) is marked handled first.
	listener.ClaimWith(claimEnvelope)
	listener.RememberHandled(rt.db.MarkHandled)
	if keys, err := rt.db.RecentHandledKeys(ctx, slackbot.RecentKeys); err != nil {
		log.Warn("read the envelopes handled last; redeliveries are still caught by the store", "err", err)
	} else {
		listener.RememberKeys(keys)
	}
	listener.ObserveAcks(m.AckLatency)
	listener.ServeViews(rt.bot)
	return listen(ctx, rt, cfg, listener, m)
}

// claimEnvelope runs a command or click under its envelope's claim. Only a
// first delivery may journal a read-only command's row (store.JournalAudit);
// a redelivery's claim is checked against the database.
func claimEnvelope(ctx context.Context, e slackbot.Envelope) context.Context {
	if e.Redelivered {
		return store.WithEnvelope(ctx, e.Key, e.ResponseURL, e.UserID, e.ChannelID)
	}
	return store.WithNewEnvelope(ctx, e.Key, e.ResponseURL, e.UserID, e.ChannelID)
}

// slackWorkers is how many commands and clicks run at once.
const slackWorkers = 16

// slackTransport keeps an idle connection to Slack for every worker: with
// http.DefaultTransport's two, a burst of answers opened (and closed) a new
// connection for most of them, on the CPU the socket reader needs to ack.
func slackTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = slackWorkers + 4 // the workers, the notes and the socket's own calls
	return t
}

// listen runs the Slack socket and the health server in the runtime's
// group until the signal or until the socket gives up (a refused token),
// then shuts down: refuse new work and drain what runs, stop the socket
// and the health server, and stop the runtime, which closes the store last.
func listen(ctx context.Context, rt *runtime, cfg config.Config, listener *slackbot.Listener, m *metrics.Metrics) error {
	failed, fail := context.WithCancel(ctx)
	defer fail()
	var srv *http.Server
	if cfg.HTTPAddr != "off" {
		srv = health.NewServer(cfg.HTTPAddr, health.Checks{Store: rt.db.Ping, SlackState: listener.State, Instance: cfg.Instance}, m)
		rt.goroutine(func() error {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				rt.log.Error("health and metrics server stopped; the bot runs on without it", "addr", cfg.HTTPAddr, "err", err)
			}
			return nil
		})
	}
	socket, stopSocket := context.WithCancel(rt.life)
	defer stopSocket()
	rt.goroutine(func() error {
		err := listener.Run(socket, rt.life)
		if err != nil {
			fail()
		}
		return err
	})
	rt.log.Info("dobot started", "region", cfg.DORegion, "db", store.RedactURL(cfg.DBPath))

	<-failed.Done()
	if ctx.Err() != nil {
		rt.log.Info("stopping: finishing running commands", "timeout", drainTimeout)
	}
	if rt.leases.Shared() {
		// Other replicas are connected too: closing this socket first
		// sends new commands to them (Slack redelivers what this one did
		// not acknowledge) instead of answering "restarting".
		stopSocket()
	}
	if !listener.Drain(drainTimeout) {
		rt.log.Warn("commands still running at shutdown; their operations resume at the next start")
	}
	stopSocket()
	if srv != nil {
		_ = srv.Close()
	}
	err := rt.stop()
	rt.log.Info("stopped")
	return err
}

// loadConfig reads the settings, listing every problem on stderr.
func loadConfig(getenv func(string) string, stderr io.Writer) (config.Config, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "dobot: configuration problems:")
		for _, line := range splitJoined(err) {
			fmt.Fprintln(stderr, "  "+line)
		}
		return cfg, errors.New("fix the settings above and start again")
	}
	return cfg, nil
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
