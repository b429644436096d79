// Package e2e drives the real bot binary through the Slack and DigitalOcean
// test servers, which speak the real protocols, with a real SQLite file.
package e2e

import (
	"context"
	"dobot/internal/botproc"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot"
	"dobot/internal/dotest"
	"dobot/internal/regtest"
	"dobot/internal/slacktest"
	"dobot/store"
)

// Identities used across the tests.
const (
	botToken = "xoxb-e2e-secret-bot-token"
	appToken = "xapp-e2e-secret-app-token"
	doToken  = "dop_v1_e2e_secret_do_token"

	admin    = "UADMIN1"
	deployer = "UDEPLOY1"
	approver = "UAPPROVE1"
	viewer   = "UVIEW1"
	stranger = "USTRANGE1"
	channel  = "CDEPLOYS"
)

var botBinary string

func TestMain(m *testing.M) {
	botproc.Main(m, "..", &botBinary)
}

// world is one bot process with its own Slack, DigitalOcean and database.
type world struct {
	t      *testing.T
	slack  *slacktest.Server
	do     *dotest.Server
	reg    *regtest.Server // docker.io, ghcr.io and DOCR, behind BOT_REGISTRY_MIRRORS
	dbPath string
	env    []string

	cmd    *exec.Cmd
	logs   *lockedBuffer
	exited chan error

	phaseDelay time.Duration
	// scopes, when not nil, makes the bot's token a custom-scope token
	// holding only these.
	scopes []string
}

type option func(*world)

// withPhaseDelay sets how long each deployment phase lasts on DigitalOcean.
func withPhaseDelay(d time.Duration) option {
	return func(w *world) { w.phaseDelay = d }
}

// withScopes gives the bot a custom-scope token holding only scopes.
func withScopes(scopes []string) option {
	return func(w *world) { w.scopes = scopes }
}

// withEnv adds or overrides environment variables of the bot.
func withEnv(kv ...string) option {
	return func(w *world) { w.env = append(w.env, kv...) }
}

func newWorld(t *testing.T, opts ...option) *world {
	t.Helper()
	w := &world{
		t: t,
		slack: slacktest.New(slacktest.Options{BotToken: botToken, AppToken: appToken,
			Users: map[string]string{admin: "ana", deployer: "dev", approver: "raj", viewer: "vic", stranger: "sam"}}),
		dbPath:     filepath.Join(t.TempDir(), "dobot.db"),
		phaseDelay: 400 * time.Millisecond,
	}
	t.Cleanup(w.slack.Close)
	for _, o := range opts {
		o(w)
	}
	doOpts := dotest.Options{Token: doToken, PhaseDelay: w.phaseDelay}
	if w.scopes != nil {
		doOpts.Token = "full-access-token-the-bot-never-sees"
		doOpts.Scopes = map[string][]string{doToken: w.scopes}
	}
	w.do = dotest.New(t, doOpts)
	reg, err := regtest.Start(regtest.Options{DOToken: doToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	w.reg = reg
	w.env = []string{
		"SLACK_BOT_TOKEN=" + botToken,
		"SLACK_APP_TOKEN=" + appToken,
		"DO_API_TOKEN=" + doToken,
		"SLACK_API_URL=" + w.slack.APIURL(),
		"DO_API_URL=" + w.do.URL(),
		"BOT_REGISTRY_MIRRORS=" + reg.Mirrors(),
		"BOT_DB=" + w.dbPath,
		"BOT_ADMINS=" + admin,
		"BOT_WATCH_INTERVAL=100ms",
		"BOT_HTTP_ADDR=" + freeAddr(t),
	}
	for _, o := range opts {
		o(w)
	}
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

// start runs the bot binary and waits until it is connected to Slack.
func (w *world) start() {
	w.t.Helper()
	w.logs = &lockedBuffer{}
	w.cmd = exec.Command(botBinary)
	w.cmd.Env = w.env
	w.cmd.Stderr = w.logs
	w.cmd.Stdout = w.logs
	if err := w.cmd.Start(); err != nil {
		w.t.Fatalf("start bot: %v", err)
	}
	w.exited = make(chan error, 1)
	go func(c *exec.Cmd, done chan error) { done <- c.Wait() }(w.cmd, w.exited)
	w.t.Cleanup(func() { w.kill() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	connectedBefore := w.slack.Connections()
	for w.slack.Connections() <= connectedBefore {
		select {
		case err := <-w.exited:
			w.t.Fatalf("bot exited before connecting: %v\n%s", err, w.logs)
		case <-ctx.Done():
			w.t.Fatalf("bot did not connect to Slack\n%s", w.logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := w.slack.WaitConnected(ctx); err != nil {
		w.t.Fatalf("bot did not connect: %v\n%s", err, w.logs)
	}
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

func (w *world) kill() {
	if w.cmd != nil && w.cmd.ProcessState == nil {
		_ = w.cmd.Process.Signal(syscall.SIGKILL)
		select {
		case <-w.exited:
		case <-time.After(5 * time.Second):
		}
	}
}

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
