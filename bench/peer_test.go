package bench

import (
	"context"
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

	"dobot/internal/slacktest"
)

// peer names the framework dobot is compared with in alternating rounds.
// Only "bolt" (bench/bolt, Bolt for JavaScript in Socket Mode) exists.
var peer = flag.String("peer", "", "with -full, compare dobot with this peer in alternating rounds: bolt (the Bolt for JavaScript app in bench/bolt)")

// peerRounds overrides the number of rounds of the full comparison.
var peerRounds = flag.Int("peer-rounds", 0, "rounds of the full peer comparison, if more than the default 5")

// ours picks the contender measured against the peer: dobot, or slack-go
// (bench/bareslack) to show the floor of the fixed stack.
var ours = flag.String("ours", "dobot", "with -full -peer, the contender measured against the peer: dobot, or slack-go (bench/bareslack: slack-go's Socket Mode client alone)")

// boltDir is the Bolt peer's directory, relative to this package.
const boltDir = "bolt"

// peerSizes are how big one round of the peer comparison is.
type peerSizes struct {
	mode       string
	rounds     int           // each round runs dobot and the peer once
	steadyRate int           // status commands a second
	steadyFor  time.Duration // for this long
	burst      int           // commands written at once
	idle       time.Duration // after connecting, before reading idle RSS
}

var peerSmoke = peerSizes{mode: "smoke", rounds: 1, steadyRate: 200, steadyFor: 100 * time.Millisecond, burst: 20, idle: 200 * time.Millisecond}

var peerFull = peerSizes{mode: "full", rounds: 5, steadyRate: 200, steadyFor: 10 * time.Second, burst: 1000, idle: 3 * time.Second}

// contender is one running bot, dobot or a peer, with its own Slack test
// server.
type contender struct {
	name        string
	slack       *slacktest.Server
	pid         int
	connectedIn time.Duration // process start → Socket Mode hello
	logs        fmt.Stringer
	stop        func()
}

// startDobot runs the real bot binary as the other benchmarks do. Its health
// server listens on a free port so that parallel runs on the machine do not
// collide on :8080.
func startDobot(t *testing.T) *contender {
	r := newRig(t, rigOptions{env: []string{"BOT_HTTP_ADDR=127.0.0.1:0"}})
	return &contender{name: "dobot", slack: r.slack, pid: r.cmd.Process.Pid, connectedIn: r.connectedIn, logs: r.logs, stop: r.stop}
}

// boltMissing says why the Bolt peer cannot run here, or "" when it can.
func boltMissing() string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not on PATH (install Node.js 20 or later, then run `npm ci --prefix bench/bolt`)"
	}
	if _, err := os.Stat(filepath.Join(boltDir, "node_modules", "@slack", "bolt", "package.json")); err != nil {
		return "bench/bolt/node_modules/@slack/bolt is missing (run `npm ci --prefix bench/bolt`)"
	}
	return ""
}

// startBolt runs the Bolt peer against a Slack test server set up as
// newRig sets up dobot's, and waits for its Socket Mode connection.
func startBolt(t *testing.T) *contender {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "app.js")
	cmd.Dir = boltDir
	return startPeerProcess(t, "Bolt", cmd)
}

// startBareSlackGo runs bench/bareslack, slack-go's Socket Mode client
// with none of dobot's work: the floor the fixed stack sets.
func startBareSlackGo(t *testing.T) *contender {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bareslack")
	if out, err := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./bareslack").CombinedOutput(); err != nil {
		t.Fatalf("build bench/bareslack: %v\n%s", err, out)
	}
	return startPeerProcess(t, "slack-go", exec.Command(bin))
}

// startPeerProcess runs cmd, a peer reading SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN and SLACK_API_URL, against a Slack test server set up as
// newRig sets up dobot's, and waits for its Socket Mode connection.
func startPeerProcess(t *testing.T, name string, cmd *exec.Cmd) *contender {
	t.Helper()
	s := slacktest.New(slacktest.Options{BotToken: botToken, AppToken: appToken, Users: map[string]string{admin: "ana"}})
	t.Cleanup(s.Close)
	logs := &lockedBuffer{}
	cmd.Env = []string{
		"SLACK_BOT_TOKEN=" + botToken,
		"SLACK_APP_TOKEN=" + appToken,
		"SLACK_API_URL=" + s.APIURL(),
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	startedAt := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	stop := func() {
		select {
		case <-exited:
			return
		default:
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(stop)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	connected := make(chan error, 1)
	go func() { connected <- s.WaitConnected(ctx) }()
	select {
	case err := <-connected:
		if err != nil {
			t.Fatalf("%s did not connect: %v\n%s", name, err, logs)
		}
	case <-exited:
		t.Fatalf("%s exited before connecting: %v\n%s", name, exitErr, logs)
	}
	return &contender{name: name, slack: s, pid: cmd.Process.Pid, connectedIn: time.Since(startedAt), logs: logs, stop: stop}
}

// procStatus reads one "Name:   N kB" field of /proc/PID/status.
func procStatus(pid int, field string) (kib int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			_, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kib)
			return kib, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// slashIn writes `/do text` from the admin in channel, without waiting for
// the ack. Each command gets its own channel, so that its private answer
// (posted where the command was typed) can be matched to it exactly.
func (c *contender) slashIn(t *testing.T, channel, text string) string {
	id, err := c.slack.SlashCommand(slack.SlashCommand{Command: "/do", Text: text, UserID: admin, UserName: "ana", ChannelID: channel, ChannelName: strings.ToLower(channel)})
	if err != nil {
		t.Fatalf("%s: send /do %s: %v\n%s", c.name, text, err, c.logs)
	}
	return id
}

// steady writes n `status` commands at rate a second, each in its own
// channel named prefix + its index, and returns them, how long writing them
// took and how far behind its schedule the sender fell at worst.
func (c *contender) steady(t *testing.T, rate, n int, prefix string) (cmds []sent, took, behind time.Duration) {
	interval := time.Second / time.Duration(rate)
	cmds = make([]sent, 0, n)
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d) // pacing the load generator, not ordering events
		} else {
			behind = max(behind, -d)
		}
		ch := fmt.Sprintf("%s%05d", prefix, i)
		cmds = append(cmds, sent{c.slashIn(t, ch, "status"), ch})
	}
	return cmds, time.Since(start), behind
}

// statusAnswer is in both bots' answer to `/do status` when they manage no
// apps; any other answer (an error, a "restarting" note) does not count.
const statusAnswer = "manages no apps yet"

// sent is one command written to the contender.
type sent struct{ envelope, channel string }

// collected is what came back for a batch of commands.
type collected struct {
	acks     map[string]slacktest.Ack // by first envelope id
	answered map[string]time.Time     // by channel: the first right private answer to the admin there
	retried  int                      // redeliveries acked: envelopes whose first ack took longer than slacktest's 3 s
}

// collect waits until every command is acked and answered, or until the
// timeouts, polling rather than waking on every ack.
func (c *contender) collect(cmds []sent, ackWithin, answerWithin time.Duration) collected {
	want := make(map[string]bool, len(cmds))
	channels := make(map[string]bool, len(cmds))
	for _, s := range cmds {
		want[s.envelope] = true
		channels[s.channel] = true
	}
	got := collected{acks: map[string]slacktest.Ack{}, answered: map[string]time.Time{}}
	start := time.Now()
	for {
		got.retried = 0
		for _, a := range c.slack.Acks() {
			if !want[a.FirstEnvelopeID] {
				continue
			}
			if a.RetryAttempt > 0 {
				got.retried++
			}
			if a.EnvelopeID == a.FirstEnvelopeID {
				got.acks[a.EnvelopeID] = a
			}
		}
		for _, m := range c.slack.Messages() {
			if m.Method == "chat.postEphemeral" && m.User == admin && channels[m.Channel] && strings.Contains(m.Text, statusAnswer) {
				if _, seen := got.answered[m.Channel]; !seen {
					got.answered[m.Channel] = m.At
				}
			}
		}
		acked, answered := len(got.acks) == len(cmds), len(got.answered) == len(cmds)
		waited := time.Since(start)
		if (acked && answered) || (!acked && waited > ackWithin) || waited > answerWithin {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// latencies returns, sorted, each acked command's ack latency (envelope
// written → ack read) and answer latency (envelope written → the private
// answer's chat.postEphemeral arriving).
func (got collected) latencies(cmds []sent) (ack, answer []time.Duration) {
	for _, s := range cmds {
		a, ok := got.acks[s.envelope]
		if !ok || a.SentAt.IsZero() {
			continue
		}
		ack = append(ack, a.AckedAt.Sub(a.SentAt))
		if at, ok := got.answered[s.channel]; ok {
			answer = append(answer, at.Sub(a.SentAt))
		}
	}
	return sortDurations(ack), sortDurations(answer)
}

// measureContender takes one round's numbers for c, which has just
// connected: idle RSS, then `status` at a steady rate, then a burst.
func measureContender(t *testing.T, c *contender, sz peerSizes, round int, tab *peerTable) {
	tab.add(round, metricStart, c.name, float64(c.connectedIn)/float64(time.Millisecond))

	time.Sleep(sz.idle) // the idle period is what is measured, not an ordering
	if kib, err := procStatus(c.pid, "VmRSS"); err != nil {
		t.Errorf("%s: read idle RSS: %v", c.name, err)
	} else {
		tab.add(round, metricRSS, c.name, float64(kib)*1024/1e6)
	}

	n := int(float64(sz.steadyRate) * sz.steadyFor.Seconds())
	cmds, took, behind := c.steady(t, sz.steadyRate, n, fmt.Sprintf("CS%02d", round))
	got := c.collect(cmds, 30*time.Second, 90*time.Second)
	ack, answer := got.latencies(cmds)
	if len(got.acks) < n || len(got.answered) < n {
		t.Errorf("%s round %d: steady %d/s: %d of %d acked, %d answered\n%s", c.name, round+1, sz.steadyRate, len(got.acks), n, len(got.answered), c.logs)
	}
	if len(ack) > 0 {
		tab.add(round, metricAckP50, c.name, msOf(percentile(ack, 50)))
		tab.add(round, metricAckP99, c.name, msOf(percentile(ack, 99)))
	}
	if len(answer) > 0 {
		tab.add(round, metricAnswerP50, c.name, msOf(percentile(answer, 50)))
		tab.add(round, metricAnswerP99, c.name, msOf(percentile(answer, 99)))
	}
	tab.note("round %d %s: steady: %d commands in %v (sender at most %v behind), %d acked, %d answered, %d redelivered",
		round+1, c.name, n, took.Round(time.Millisecond), behind.Round(time.Microsecond), len(got.acks), len(got.answered), got.retried)

	// Burst: every command written back to back over the one socket.
	cmds = cmds[:0]
	writing := time.Now()
	for i := range sz.burst {
		ch := fmt.Sprintf("CB%02d%05d", round, i)
		cmds = append(cmds, sent{c.slashIn(t, ch, "status"), ch})
	}
	wrote := time.Since(writing) // the test server's own pace: no bot acks faster than this
	got = c.collect(cmds, 60*time.Second, 180*time.Second)
	if len(got.acks) < sz.burst || len(got.answered) < sz.burst {
		t.Errorf("%s round %d: burst of %d: %d acked, %d answered\n%s", c.name, round+1, sz.burst, len(got.acks), len(got.answered), c.logs)
	}
	if span, answeredIn, ok := burstSpans(cmds, got); ok && len(got.acks) == sz.burst {
		tab.add(round, metricBurstRate, c.name, float64(len(got.acks))/span.Seconds())
		tab.add(round, metricBurstLast, c.name, msOf(span))
		tab.note("round %d %s: burst: written in %s; last ack %s after the first envelope; all answered after %s; %d redelivered",
			round+1, c.name, ms(wrote), ms(span), ms(answeredIn), got.retried)
	}

	if kib, err := procStatus(c.pid, "VmHWM"); err != nil {
		t.Errorf("%s: read peak RSS: %v", c.name, err)
	} else {
		tab.add(round, metricPeakRSS, c.name, float64(kib)*1024/1e6)
	}
}

// burstSpans returns the time from the first envelope written to the last
// ack read, and to the last answer.
func burstSpans(cmds []sent, got collected) (lastAck, lastAnswer time.Duration, ok bool) {
	var first, ackAt, answerAt time.Time
	for _, s := range cmds {
		a, acked := got.acks[s.envelope]
		if !acked || a.SentAt.IsZero() {
			continue
		}
		if first.IsZero() || a.SentAt.Before(first) {
			first = a.SentAt
		}
		if a.AckedAt.After(ackAt) {
			ackAt = a.AckedAt
		}
		if at := got.answered[s.channel]; at.After(answerAt) {
			answerAt = at
		}
	}
	if first.IsZero() {
		return 0, 0, false
	}
	return ackAt.Sub(first), answerAt.Sub(first), true
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TestPeer runs dobot and the Bolt peer in alternating rounds against Slack
// test servers set up alike, and prints each measure's medians and the
// ratio dobot / Bolt. In the default (smoke) mode it runs one small round
// and checks only that every measure yields a number; with
// -args -full -peer bolt it runs the full comparison:
//
//	go test ./bench/ -run TestPeer -v -timeout 30m -args -full -peer bolt
//
// Timings are never asserted, in either mode: the targets are marked met or
// not in the printed table.
func TestPeer(t *testing.T) {
	sz, contenders := peerSmoke, []string{"dobot", "slack-go"}
	if *full {
		switch *peer {
		case "":
			t.Skip("peer comparison: skipped: -full without -peer; run with -args -full -peer bolt")
		case "bolt":
		default:
			t.Fatalf("unknown -peer %q; the only peer is bolt", *peer)
		}
		sz, contenders = peerFull, []string{*ours}
		sz.rounds = max(sz.rounds, *peerRounds) // never fewer than 5 in full mode
	}
	if why := boltMissing(); why != "" {
		t.Skipf("peer comparison: skipped: the Bolt peer cannot run: %s", why)
	}
	// The smoke run checks both of ours work; the full run measures one.
	for _, name := range contenders {
		start, ok := oursByName[name]
		if !ok {
			t.Fatalf("unknown -ours %q; it is dobot or slack-go", name)
		}
		out := comparePeers(t, sz, name, start)
		if *full {
			fmt.Fprint(os.Stdout, out)
		} else {
			t.Log(out)
		}
	}
}

// oursByName are the contenders -ours can measure against the peer.
var oursByName = map[string]func(*testing.T) *contender{"dobot": startDobot, "slack-go": startBareSlackGo}

// comparePeers runs ours and the Bolt peer in alternating rounds and
// returns the table, failing the test on an empty row.
func comparePeers(t *testing.T, sz peerSizes, name string, start func(*testing.T) *contender) string {
	tab := newPeerTable(sz.rounds, name, "Bolt")
	for round := range sz.rounds {
		starts := []struct {
			name  string
			start func(*testing.T) *contender
		}{{name, start}, {"Bolt", startBolt}}
		if round%2 == 1 {
			starts[0], starts[1] = starts[1], starts[0] // alternate who goes first
		}
		for _, s := range starts {
			t.Run(fmt.Sprintf("%s/round%d/%s", name, round+1, s.name), func(t *testing.T) {
				c := s.start(t)
				defer c.stop()
				measureContender(t, c, sz, round, tab)
			})
		}
	}
	if missing := tab.missing(); len(missing) > 0 {
		t.Errorf("measures with no number (empty rows): %s", strings.Join(missing, "; "))
	}
	return tab.markdown(sz)
}
