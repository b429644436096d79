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
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot/internal/botproc"
	"dobot/internal/dotest"
	"dobot/internal/slacktest"
)

// full switches from the smoke sizes to the sizes.
var full = flag.Bool("full", false, "run the benchmarks at the issue's full sizes (minutes) and print the results table")

// The benchmarks' tokens; the admin and channel are botproc's.
var botToken, appToken, doToken = botproc.Tokens("bench")

const (
	admin   = botproc.Admin
	channel = botproc.Channel
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

	proc *botproc.Process
	cmd  *exec.Cmd
	logs *lockedBuffer
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
// never set here (only the replicas' request budget sets it, in smoke mode,
// through sizes.budgetEnv).
func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	return startRig(t, newWorld(t, o))
}

// newWorld starts the test servers the bot will run in, so that a
// measurement can seed them (or its database) before the bot starts.
func newWorld(t testing.TB, o rigOptions) *botproc.World {
	t.Helper()
	return botproc.NewWorld(t, botproc.Options{BotToken: botToken, AppToken: appToken, DOToken: doToken,
		Users: map[string]string{admin: "ana"}, PhaseDelay: o.phaseDelay, DBPath: o.dbPath,
		Env: append([]string{"BOT_ADMINS=" + admin}, o.env...)})
}

// startRig starts the bot in w and waits until it is connected.
func startRig(t testing.TB, w *botproc.World) *rig {
	t.Helper()
	r := &rig{t: t, slack: w.Slack, do: w.DO, dbPath: w.DBPath, env: w.Env}
	r.proc = w.Start(t, botBinary)
	r.cmd, r.logs, r.connectedIn = r.proc.Cmd, r.proc.Logs, r.proc.ConnectedIn
	return r
}

// stop ends the bot with SIGTERM, then SIGKILL if it lingers.
func (r *rig) stop() { r.proc.Stop(10 * time.Second) }

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
