// Package e2e drives the real bot binary through the Slack and DigitalOcean
// test servers, which speak the real protocols, with a real SQLite file.
package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot"
	"dobot/internal/botproc"
	"dobot/internal/dotest"
	"dobot/internal/regtest"
	"dobot/internal/slacktest"
	"dobot/store"
)

// Identities used across the tests.
var botToken, appToken, doToken = botproc.Tokens("e2e")

const (
	admin    = botproc.Admin
	deployer = "UDEPLOY1"
	approver = "UAPPROVE1"
	viewer   = "UVIEW1"
	stranger = "USTRANGE1"
	channel  = botproc.Channel
)

var botBinary string

func TestMain(m *testing.M) {
	botproc.Main(m, "..", &botBinary)
}

// world is one bot process with its own Slack, DigitalOcean and database.
type world struct {
	t      *testing.T
	bw     *botproc.World
	slack  *slacktest.Server
	do     *dotest.Server
	reg    *regtest.Server // docker.io, ghcr.io and DOCR, behind BOT_REGISTRY_MIRRORS
	dbPath string
	env    []string // the next start's environment

	proc   *botproc.Process
	cmd    *exec.Cmd
	logs   *lockedBuffer
	exited chan error
}

// option changes the world a test asks for.
type option func(*botproc.Options)

// withPhaseDelay sets how long each deployment phase lasts on DigitalOcean.
func withPhaseDelay(d time.Duration) option {
	return func(o *botproc.Options) { o.PhaseDelay = d }
}

// withScopes gives the bot a custom-scope token holding only scopes.
func withScopes(scopes []string) option {
	return func(o *botproc.Options) { o.Scopes = scopes }
}

// withEnv adds or overrides environment variables of the bot.
func withEnv(kv ...string) option {
	return func(o *botproc.Options) { o.Env = append(o.Env, kv...) }
}

// worldOptions is the world the tests share, changed by opts, each applied
// once.
func worldOptions(t *testing.T, opts ...option) botproc.Options {
	o := botproc.Options{BotToken: botToken, AppToken: appToken, DOToken: doToken,
		Users:      map[string]string{admin: "ana", deployer: "dev", approver: "raj", viewer: "vic", stranger: "sam"},
		PhaseDelay: 400 * time.Millisecond,
		Env:        []string{"BOT_ADMINS=" + admin, "BOT_WATCH_INTERVAL=100ms", "BOT_HTTP_ADDR=" + freeAddr(t)},
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func newWorld(t *testing.T, opts ...option) *world {
	t.Helper()
	bw := botproc.NewWorld(t, worldOptions(t, opts...))
	w := &world{t: t, bw: bw, slack: bw.Slack, do: bw.DO, reg: bw.Reg, dbPath: bw.DBPath, env: bw.Env}
	w.seedRoles(map[string]dobot.Role{deployer: dobot.RoleDeployer, approver: dobot.RoleApprover, viewer: dobot.RoleViewer})
	w.start()
	return w
}

// seedRoles writes roles straight into the bot's SQLite file before it starts.
func (w *world) seedRoles(roles map[string]dobot.Role) {
	w.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, w.dbPath)
	if err != nil {
		w.t.Fatalf("open store: %v", err)
	}
	defer db.Close()
	for user, role := range roles {
		if err := db.SetRole(ctx, user, role, "seed"); err != nil {
			w.t.Fatalf("seed role: %v", err)
		}
	}
}

// start runs the bot binary with w.env and waits until it is connected to
// Slack.
func (w *world) start() {
	w.t.Helper()
	w.bw.Env = w.env
	p := w.bw.Start(w.t, botBinary)
	w.proc, w.cmd, w.logs = p, p.Cmd, p.Logs
	exited := make(chan error, 1)
	w.exited = exited
	go func() { <-p.Exited; exited <- p.Err }()
}

// stop sends sig and waits for the bot to exit, returning its error.
func (w *world) stop(sig os.Signal, within time.Duration) error {
	w.t.Helper()
	if err := w.cmd.Process.Signal(sig); err != nil {
		w.t.Fatalf("signal bot: %v", err)
	}
	select {
	case err := <-w.exited:
		return err
	case <-time.After(within):
		w.t.Fatalf("bot did not exit within %s after %v\n%s", within, sig, w.logs)
		return nil
	}
}

// kill ends the bot with SIGKILL and waits for it.
func (w *world) kill() { w.proc.Kill() }

// do types a /do command as user in the deploys channel and waits for its ack.
func (w *world) run(user, text string) string {
	w.t.Helper()
	return w.runIn(channel, user, text)
}

func (w *world) runIn(ch, user, text string) string {
	w.t.Helper()
	env, err := w.slack.SlashCommand(slack.SlashCommand{Command: "/do", Text: text, UserID: user, UserName: strings.ToLower(user), ChannelID: ch, ChannelName: "deploys"})
	if err != nil {
		w.t.Fatalf("send /do %s: %v", text, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := w.slack.WaitAck(ctx, env); err != nil {
		w.t.Fatalf("no ack for /do %s: %v\n%s", text, err, w.logs)
	}
	return env
}

// waitMessage waits for a recorded Slack message matching match.
func (w *world) waitMessage(what string, match func(slacktest.Message) bool) slacktest.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := w.slack.WaitMessage(ctx, match)
	if err != nil {
		w.t.Fatalf("waiting for %s: %v\nmessages: %s\nbot log:\n%s", what, err, dumpMessages(w.slack.Messages()), w.logs)
	}
	return m
}

// waitEphemeral waits for a private answer to user containing text.
func (w *world) waitEphemeral(user, text string) slacktest.Message {
	w.t.Helper()
	return w.waitMessage(fmt.Sprintf("ephemeral to %s containing %q", user, text), func(m slacktest.Message) bool {
		return m.Method == "chat.postEphemeral" && m.User == user && strings.Contains(m.Text, text)
	})
}

// launchHead waits for the head message of a launch of app.
func (w *world) launchHead(app string) slacktest.Message {
	w.t.Helper()
	return w.waitMessage("launch message for "+app, func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && m.Channel == channel && strings.Contains(m.Text, "launching "+app)
	})
}

// waitThread waits for a reply in the thread of ts containing text.
func (w *world) waitThread(ts, text string) slacktest.Message {
	w.t.Helper()
	return w.waitMessage(fmt.Sprintf("thread reply containing %q", text), func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == ts && strings.Contains(m.Text, text)
	})
}

// launchLive launches app as deployer and waits for its live URL.
func (w *world) launchLive(app, image string) (head slacktest.Message) {
	w.t.Helper()
	w.run(deployer, fmt.Sprintf("launch %s --image %s", app, image))
	head = w.launchHead(app)
	w.waitThread(head.TS, "is live at https://")
	return head
}

func dumpMessages(ms []slacktest.Message) string {
	var sb strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&sb, "\n  %s ch=%s ts=%s thread=%s user=%s: %.200q", m.Method, m.Channel, m.TS, m.ThreadTS, m.User, m.Text)
	}
	return sb.String()
}

// lockedBuffer collects the bot's output safely across goroutines.
type lockedBuffer = botproc.LockedBuffer

// freeAddr is a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// pushDOCR pushes repo:tag to the account's registry as `docker push`
// would: DigitalOcean's API lists the tag, and the registry itself serves
// the image (exposing ports) to the pre-flight check.
func (w *world) pushDOCR(registry, repo, tag string, exposed ...string) {
	w.t.Helper()
	w.do.PushImage(registry, repo, tag)
	if err := w.reg.Push("registry.digitalocean.com", registry+"/"+repo, tag, exposed...); err != nil {
		w.t.Fatal(err)
	}
}
