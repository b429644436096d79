package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/commands"
	"dobot/console"
	"dobot/internal/config"
	"dobot/internal/dosim"
	"dobot/internal/regtest"
	"dobot/store"
)

// consoleUsage is the console's flags, as `bot console -h` shows them.
const consoleUsage = `usage: bot console [--as USER] [--wait DURATION] [--sim-phase DURATION] [-v]

An interactive terminal for the bot: type /do commands as in Slack; buttons
show as numbered choices. It shares the store (BOT_DB), the commands and the
DigitalOcean code with Slack mode, and needs no Slack tokens. Without a
DigitalOcean token it runs against a built-in simulated DigitalOcean.
Commands can be piped in; at the end of input it waits for running
operations to finish.

`

// consoleCommand runs `bot console`.
func consoleCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bot console", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, consoleUsage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\n"+console.Help)
	}
	as := fs.String("as", console.DefaultUser, "the Slack-style user id you type as; "+console.DefaultUser+" is made an admin at start")
	wait := durationFlag(fs, "wait", console.DefaultWait, "at the end of input, how long to wait for running operations: a `duration` like 2m, 90s or 1d")
	phase := durationFlag(fs, "sim-phase", dosim.ConsolePhaseDelay, "simulated DigitalOcean: time a deployment spends in each phase, a `duration` like 2s")
	verbose := fs.Bool("v", false, "log the bot's info messages too, not only warnings and errors")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bot console takes no arguments, only flags (got %q); type commands at its prompt or pipe them in", fs.Arg(0))
	}
	if *wait <= 0 || *phase <= 0 {
		return errors.New("bot console: --wait and --sim-phase must be positive durations like 2m, 2s or 1d")
	}
	// The same check /as makes, so a bad --as fails before anything starts.
	user, err := console.ParseUser(*as)
	if err != nil {
		return errors.New("--as " + err.Error())
	}

	simulated := doTokenFrom(getenv) == ""
	cfg, err := loadConfig(consoleEnv(getenv, simulated), stderr)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	// On a shared PostgreSQL store the console acts as an instance too
	// (leases, audit rows), so its lines name it as the bot's do.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})).With("instance", cfg.Instance)
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	where := "DigitalOcean at " + cfg.DOAPIURL + " (real resources, real costs)"
	var sim *dosim.Server
	if simulated {
		var closeSim func()
		if where, sim, closeSim, err = simulate(&cfg, *phase, getenv, log); err != nil {
			return err
		}
		defer closeSim()
	}

	var con *console.Console
	rt, err := newRuntime(ctx, cfg, log, adapter{admins: []string{console.DefaultUser},
		chat: func(db *store.DB) (commands.Chat, commands.Observer) {
			con = console.New(stdout, console.Options{User: user, Store: db, Wait: *wait, Interactive: isTerminal(stdin) && isTerminal(stdout),
				Sim: simCommand(sim, db, cfg.ElsewhereInterval)})
			return con, con.Observer(nil)
		},
		views: func() chatview.Views { return con }})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dobot console: using %s; store %s; you are %s. Type /do help, or /help for the console's commands.\n",
		where, store.RedactURL(cfg.DBPath), user)
	if simulated {
		if err := warnStaleApps(ctx, rt.db, store.RedactURL(cfg.DBPath), stdout); err != nil {
			return errors.Join(err, rt.stop())
		}
	}
	if err := rt.start(); err != nil {
		return errors.Join(err, rt.stop())
	}
	runErr := con.Run(ctx, stdin, rt.bot)
	return errors.Join(runErr, rt.stop())
}

// durationFlag adds a duration flag to fs that reads durations as every
// other one does (dobot.ParseDuration): Go's syntax plus d for days, where
// fs.Duration would refuse --wait 1d.
func durationFlag(fs *flag.FlagSet, name string, value time.Duration, usage string) *time.Duration {
	d := new(time.Duration)
	*d = value
	fs.Var((*durationValue)(d), name, usage)
	return d
}

// durationValue is a flag.Value over a time.Duration.
type durationValue time.Duration

func (v *durationValue) String() string {
	if v == nil {
		return ""
	}
	return dobot.FormatDuration(time.Duration(*v))
}

func (v *durationValue) Set(s string) error {
	d, err := dobot.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration like 90s, 2m or 1d: %w", err)
	}
	*v = durationValue(d)
	return nil
}

// simulate points cfg at a simulated DigitalOcean and simulated
// registries, and, unless BOT_DB is set, at a throwaway store. It returns
// what the console is using, for its banner, and how to stop it all.
func simulate(cfg *config.Config, phase time.Duration, getenv func(string) string, log *slog.Logger) (where string, sim *dosim.Server, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	if getenv("DO_API_URL") != "" {
		log.Warn("DO_API_URL is ignored without a DigitalOcean token: using the simulated DigitalOcean")
	}
	sim, err = startSimulator(phase)
	if err != nil {
		return "", nil, nil, err
	}
	stops = append(stops, sim.Close)
	cfg.DOToken, cfg.DOAPIURL = sim.Token(), sim.URL()
	if getenv("BOT_REGISTRY_MIRRORS") != "" {
		log.Warn("BOT_REGISTRY_MIRRORS is ignored without a DigitalOcean token: using the simulated registries")
	}
	// The simulated registries serve the same catalogue the simulated App
	// Platform runs, so the pre-flight check works as it does for real:
	// nginx goes live on port 80, nginx:1.999 is refused.
	reg, err := regtest.Start(regtest.Options{DOToken: sim.Token()})
	if err != nil {
		return "", nil, nil, fmt.Errorf("simulated registry: %w", err)
	}
	stops = append(stops, reg.Close)
	if cfg.RegistryMirrors, err = config.ParseRegistryMirrors(reg.Mirrors()); err != nil {
		return "", nil, nil, fmt.Errorf("simulated registry: %w", err)
	}
	if cfg.WatchInterval == 0 {
		// The adaptive pace starts at 5 s, longer than a simulated phase.
		cfg.WatchInterval = min(max(phase/2, 10*time.Millisecond), time.Second)
	}
	if cfg.ElsewhereInterval == 0 {
		// Deployments started with /sim show within seconds.
		cfg.ElsewhereInterval = max(phase, time.Second)
	}
	if getenv("BOT_DB") == "" {
		// The simulator forgets everything at exit, so its records would
		// only haunt the next run: keep them in a throwaway file.
		dir, err := os.MkdirTemp("", "dobot-console")
		if err != nil {
			return "", nil, nil, fmt.Errorf("temporary store: %w", err)
		}
		stops = append(stops, func() { os.RemoveAll(dir) })
		cfg.DBPath = filepath.Join(dir, "dobot.db")
	}
	return fmt.Sprintf("a simulated DigitalOcean (no DO_API_TOKEN set; apps go live in about %s)", dobot.FormatDuration((3 * phase).Round(time.Second/10))), sim, stop, nil
}

// warnStaleApps says when the store lists apps from earlier runs: the
// simulated DigitalOcean starts empty every time, so to the bot they look
// deleted outside it, and their names are taken.
func warnStaleApps(ctx context.Context, db *store.DB, path string, w io.Writer) error {
	apps, err := db.Apps(ctx)
	if err != nil {
		return fmt.Errorf("list apps in %s: %w", path, err)
	}
	if len(apps) == 0 {
		return nil
	}
	names := make([]string, len(apps))
	for i, a := range apps {
		names[i] = a.Name
	}
	fmt.Fprintf(w, "note: %s lists %d app(s) from earlier runs (%s), but the simulated DigitalOcean starts empty each time: "+
		"the bot will report them deleted outside it, and their names are taken. Set BOT_DB to a fresh file for a clean start.\n",
		path, len(apps), strings.Join(names, ", "))
	return nil
}

// consoleEnv is the environment as config.Load sees it in console mode:
// the Slack settings, which the console does not use, are stood in for so
// that every other setting gets the same checks as in Slack mode; so is the
// DigitalOcean token when the simulator will supply one.
func consoleEnv(getenv func(string) string, simulated bool) func(string) string {
	return func(name string) string {
		switch name {
		case "SLACK_BOT_TOKEN":
			return "xoxb-console"
		case "SLACK_APP_TOKEN":
			return "xapp-console"
		case "SLACK_API_URL":
			return config.DefaultSlackAPIURL
		case "BOT_HTTP_ADDR":
			return "off"
		case "DO_API_TOKEN":
			if simulated {
				return "simulated"
			}
		case "DO_API_URL":
			if simulated {
				return config.DefaultDOAPIURL
			}
		}
		return getenv(name)
	}
}

// doTokenFrom is the DigitalOcean token, from the variables config reads.
func doTokenFrom(getenv func(string) string) string {
	for _, name := range []string{"DO_API_TOKEN", "DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
	}
	return ""
}

// startSimulator starts a simulated DigitalOcean with a fresh token.
func startSimulator(phase time.Duration) (*dosim.Server, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("simulated DigitalOcean: token: %w", err)
	}
	srv, err := dosim.Start(dosim.Options{Token: "sim-" + hex.EncodeToString(b), PhaseDelay: phase})
	if err != nil {
		return nil, fmt.Errorf("simulated DigitalOcean: %w", err)
	}
	return srv, nil
}

// isTerminal reports whether v is a terminal. With both ends at one, a
// person types and sees a prompt; otherwise input is echoed into the output.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
