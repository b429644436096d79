// Package bench measures the real bot binary against the performance
// targets. It drives the bot through the Slack test server (internal/slacktest)
// and the DigitalOcean test server (internal/dotest), as the e2e tests do.
//
// By default (go test ./bench/, which CI runs) every measurement runs at a
// small size and the test checks only that it works and yields a number:
// timings are never asserted, so a busy machine cannot make CI flaky. With
// -args -full the measurements run at the sizes and print a table:
//
//	go test ./bench/ -run TestTargets -v -timeout 30m -args -full
package bench

import (
	"context"
	"dobot/internal/botproc"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot/internal/dotest"
	"dobot/internal/regtest"
	"dobot/internal/slacktest"
)

// full switches from the smoke sizes to the sizes.
var full = flag.Bool("full", false, "run the benchmarks at the issue's full sizes (minutes) and print the results table")

// Identities the benchmarks use.
const (
	botToken = "xoxb-bench-bot-token"
	appToken = "xapp-bench-app-token"
	doToken  = "dop_v1_bench_do_token"

	admin   = "UADMIN1"
	channel = "CDEPLOYS"
)

// botBinary is the bot, built as the Dockerfile builds it.
var botBinary string

func TestMain(m *testing.M) {
	flag.Parse()
	botproc.Main(m, "..", &botBinary)
}

// rig is one bot process with its own Slack, DigitalOcean and database.
type rig struct {
	t      testing.TB
	slack  *slacktest.Server
	do     *dotest.Server
	dbPath string
	env    []string

	cmd       *exec.Cmd
	logs      *lockedBuffer
	exited    chan struct{} // closed when the process has exited
	exitErr   error         // set before exited closes
	startedAt time.Time
	// connectedIn is the time from starting the process to its Socket Mode
	// connection receiving hello.
	connectedIn time.Duration
}

type rigOptions struct {
	phaseDelay time.Duration // dotest's time per deployment phase
	dbPath     string        // an existing database to use; default a new one
	env        []string      // extra environment, overriding the defaults
}

// newRig starts the test servers and the bot, and waits until it is
// connected. The bot keeps its adaptive watch pace: BOT_WATCH_INTERVAL is
// never set here.
func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	r := &rig{
		t:      t,
		slack:  slacktest.New(slacktest.Options{BotToken: botToken, AppToken: appToken, Users: map[string]string{admin: "ana"}}),
		dbPath: o.dbPath,
	}
	t.Cleanup(r.slack.Close)
	if r.dbPath == "" {
		r.dbPath = filepath.Join(t.TempDir(), "dobot.db")
	}
	r.do = dotest.New(t, dotest.Options{Token: doToken, PhaseDelay: o.phaseDelay})
	reg, err := regtest.Start(regtest.Options{DOToken: doToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	r.env = append([]string{
		"SLACK_BOT_TOKEN=" + botToken,
		"SLACK_APP_TOKEN=" + appToken,
		"DO_API_TOKEN=" + doToken,
		"SLACK_API_URL=" + r.slack.APIURL(),
		"DO_API_URL=" + r.do.URL(),
		"BOT_REGISTRY_MIRRORS=" + reg.Mirrors(),
		"BOT_DB=" + r.dbPath,
		"BOT_ADMINS=" + admin,
	}, o.env...)
	r.start()
	return r
}

// start runs the bot and waits for its Socket Mode connection, timing it.
func (r *rig) start() {
	r.t.Helper()
	r.logs = &lockedBuffer{}
	r.cmd = exec.Command(botBinary)
	r.cmd.Env = r.env
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	r.startedAt = time.Now()
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start bot: %v", err)
	}
	r.exited = make(chan struct{})
	go func() { r.exitErr = r.cmd.Wait(); close(r.exited) }()
	r.t.Cleanup(r.stop)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	connected := make(chan error, 1)
	go func() { connected <- r.slack.WaitConnected(ctx) }()
	select {
	case err := <-connected:
		if err != nil {
			r.t.Fatalf("bot did not connect: %v\n%s", err, r.logs)
		}
		r.connectedIn = time.Since(r.startedAt)
	case <-r.exited:
		r.t.Fatalf("bot exited before connecting: %v\n%s", r.exitErr, r.logs)
	}
}

// stop ends the bot with SIGTERM, then SIGKILL if it lingers.
func (r *rig) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	select {
	case <-r.exited:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

// slash writes one /do command from the admin in the deploys channel and
// returns its envelope id, without waiting for the ack.
func (r *rig) slash(text string) string {
	r.t.Helper()
	env, err := r.slack.SlashCommand(slack.SlashCommand{Command: "/do", Text: text, UserID: admin, UserName: "ana", ChannelID: channel, ChannelName: "deploys"})
	if err != nil {
		r.t.Fatalf("send /do %s: %v\n%s", text, err, r.logs)
	}
	return env
}

// waitAcks waits until every envelope in ids has been acked, or timeout,
// and returns the acks found, by envelope id. It polls rather than calling
// WaitAck per envelope, which would wake every waiter on every ack.
func (r *rig) waitAcks(ids []string, timeout time.Duration) map[string]slacktest.Ack {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	deadline := time.Now().Add(timeout)
	for {
		got := map[string]slacktest.Ack{}
		for _, a := range r.slack.Acks() {
			if want[a.EnvelopeID] {
				got[a.EnvelopeID] = a
			}
		}
		if len(got) == len(want) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitMessages waits until at least n recorded messages match, or timeout,
// and returns the matching ones.
func (r *rig) waitMessages(n int, timeout time.Duration, match func(slacktest.Message) bool) []slacktest.Message {
	deadline := time.Now().Add(timeout)
	for {
		var got []slacktest.Message
		for _, m := range r.slack.Messages() {
			if match(m) {
				got = append(got, m)
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rss reads the bot's resident set size from /proc.
func (r *rig) rss() (kib int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", r.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			_, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kib)
			return kib, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", r.cmd.Process.Pid)
}

// lockedBuffer collects the bot's output safely across goroutines.
type lockedBuffer = botproc.LockedBuffer
