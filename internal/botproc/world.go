package botproc

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dobot/internal/dotest"
	"dobot/internal/regtest"
	"dobot/internal/slacktest"
)

// Options describes a world. Tokens and users are the caller's own, so
// that its tests can tell its secrets apart.
type Options struct {
	BotToken, AppToken, DOToken string
	// Users are the Slack users the workspace knows, id to name.
	Users map[string]string
	// PhaseDelay is DigitalOcean's time per deployment phase; dotest's
	// default when zero.
	PhaseDelay time.Duration
	// Scopes, when not nil, makes the bot's DigitalOcean token a
	// custom-scope token holding only these.
	Scopes []string
	// DBPath is the bot's SQLite file; a new one in t.TempDir() when empty.
	DBPath string
	// Env is added to the bot's environment after the defaults, so it
	// overrides them.
	Env []string
}

// World is a bot's surroundings: Slack, DigitalOcean and the registries,
// each a strict test server, and the environment that points the bot at
// them. The servers close at the test's cleanup.
type World struct {
	Slack  *slacktest.Server
	DO     *dotest.Server
	Reg    *regtest.Server // docker.io, ghcr.io and DOCR, behind BOT_REGISTRY_MIRRORS
	DBPath string
	Env    []string
}

// NewWorld starts the test servers and builds the bot's environment.
func NewWorld(t testing.TB, o Options) *World {
	t.Helper()
	w := &World{
		Slack:  slacktest.New(slacktest.Options{BotToken: o.BotToken, AppToken: o.AppToken, Users: o.Users}),
		DBPath: o.DBPath,
	}
	t.Cleanup(w.Slack.Close)
	if w.DBPath == "" {
		w.DBPath = filepath.Join(t.TempDir(), "dobot.db")
	}
	doOpts := dotest.Options{Token: o.DOToken, PhaseDelay: o.PhaseDelay}
	if o.Scopes != nil {
		doOpts.Token = "full-access-token-the-bot-never-sees"
		doOpts.Scopes = map[string][]string{o.DOToken: o.Scopes}
	}
	w.DO = dotest.New(t, doOpts)
	reg, err := regtest.Start(regtest.Options{DOToken: o.DOToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	w.Reg = reg
	w.Env = append([]string{
		"SLACK_BOT_TOKEN=" + o.BotToken,
		"SLACK_APP_TOKEN=" + o.AppToken,
		"DO_API_TOKEN=" + o.DOToken,
		"SLACK_API_URL=" + w.Slack.APIURL(),
		"DO_API_URL=" + w.DO.URL(),
		"BOT_REGISTRY_MIRRORS=" + reg.Mirrors(),
		"BOT_DB=" + w.DBPath,
	}, o.Env...)
	return w
}

// Process is one run of the bot binary in a world.
type Process struct {
	Cmd  *exec.Cmd
	Logs *LockedBuffer
	// Exited is closed when the process has exited; Err is its error then.
	Exited chan struct{}
	Err    error
	// ConnectedIn is the time from starting the process to its Socket Mode
	// connection being live.
	ConnectedIn time.Duration
}

// Start runs binary with the world's environment and waits until it has a
// new Socket Mode connection. It fails the test if the bot exits first or
// does not connect within 20 s; at cleanup it kills the bot if it still
// runs.
func (w *World) Start(t testing.TB, binary string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(binary), Logs: &LockedBuffer{}, Exited: make(chan struct{})}
	p.Cmd.Env = w.Env
	p.Cmd.Stdout, p.Cmd.Stderr = p.Logs, p.Logs
	before := w.Slack.Connections()
	started := time.Now()
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start bot: %v", err)
	}
	go func() { p.Err = p.Cmd.Wait(); close(p.Exited) }()
	t.Cleanup(p.Kill)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	connected := make(chan error, 1)
	go func() { connected <- w.Slack.WaitConnectedAfter(ctx, before) }()
	select {
	case err := <-connected:
		if err != nil {
			t.Fatalf("bot did not connect: %v\n%s", err, p.Logs)
		}
		p.ConnectedIn = time.Since(started)
	case <-p.Exited:
		t.Fatalf("bot exited before connecting: %v\n%s", p.Err, p.Logs)
	}
	// The bot logs these once its start-up work (resuming operations) is
	// done and once it has itself seen the connection (so /healthz says
	// connected): what a test counts or checks from here is its own.
	for _, line := range startedLines {
		for !strings.Contains(p.Logs.String(), line) {
			select {
			case <-p.Exited:
				t.Fatalf("bot exited after connecting: %v\n%s", p.Err, p.Logs)
			case <-ctx.Done():
				t.Fatalf("bot never logged %q\n%s", line, p.Logs)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	return p
}

// startedLines are what the bot logs when it has started and connected.
var startedLines = []string{"dobot started", "connected to Slack"}

// Stop ends the bot with SIGTERM, then SIGKILL if it is still running
// after within.
func (p *Process) Stop(within time.Duration) {
	select {
	case <-p.Exited:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.Exited:
	case <-time.After(within):
		p.Kill()
	}
}

// Kill ends the bot with SIGKILL, if it still runs, and waits for it.
func (p *Process) Kill() {
	select {
	case <-p.Exited:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.Exited:
	case <-time.After(5 * time.Second):
	}
}
