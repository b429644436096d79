package commands_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot"
	"dobot/commands"
	"dobot/internal/dosim"
	"dobot/internal/dotest"
	"dobot/watch"
)

// threadText is every reply and upload in the thread of ts, as text.
func (c *recordingChat) threadText(ts string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.sent {
		if (s.Kind == "reply" && s.Thread == ts) || (s.Kind == "upload" && s.Thread == ts) {
			m := s.Msg
			text := m.Text + "\n" + m.Title + "\n" + m.Body
			for _, f := range m.Fields {
				text += "\n" + f.Label + ": " + f.Value
			}
			out = append(out, text)
		}
	}
	return strings.Join(out, "\n")
}

func elsewhereHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarnessWith(t, commands.Config{Region: "nyc3", ElsewhereEvery: 30 * time.Millisecond},
		dotest.Options{Token: "tok", PhaseDelay: 400 * time.Millisecond}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	return h
}

func TestPushTriggeredDeploymentIsReportedInTheLaunchThread(t *testing.T) {
	h := elsewhereHarness(t)
	h.run("UDEP", "launch web --git https://github.com/acme/web")
	op := h.waitOp(t, 1)
	if op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s", op.State, op.Error)
	}
	if strings.Contains(h.chat.threadText(op.MessageTS), "started elsewhere") {
		t.Fatalf("the bot's own launch was reported as started elsewhere:\n%s", h.chat.threadText(op.MessageTS))
	}
	if _, err := h.do.StartDeployment(op.ResourceID, dosim.Push("github.com/acme/web", "feedfacecafe0123", "ana", "fix the header")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the push reported live", func() bool {
		return strings.Contains(h.chat.threadText(op.MessageTS), "started elsewhere is live")
	})
	text := h.chat.threadText(op.MessageTS)
	for _, want := range []string{"push of feedfac to acme/web by ana", "Commit: `feedfacecafe0123`", "Building"} {
		if !strings.Contains(text, want) {
			t.Errorf("thread lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "Deployment of web started elsewhere"); n != 1 {
		t.Errorf("reported %d times; want once:\n%s", n, text)
	}

	// A failing one is reported with its log.
	o := dosim.Manual("raj@example.com")
	o.FailAt, o.Reason = "build", "npm ERR! missing script: build"
	if _, err := h.do.StartDeployment(op.ResourceID, o); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for tt := h.chat.threadText(op.MessageTS); !(strings.Contains(tt, "started elsewhere failed") && strings.Contains(tt, "last 60 lines")); tt = h.chat.threadText(op.MessageTS) {
		if time.Now().After(deadline) {
			t.Fatalf("no failure with its log in the thread:\n%s", tt)
		}
		time.Sleep(5 * time.Millisecond)
	}
	text = h.chat.threadText(op.MessageTS)
	if !strings.Contains(text, "manual, by raj@example.com") || !strings.Contains(text, "missing script") {
		t.Errorf("failure report lacks the cause or the reason:\n%s", text)
	}

	// A restart does not report them again, but does report one pushed
	// while the bot was down.
	h.stop()
	if _, err := h.do.StartDeployment(op.ResourceID, dosim.Push("github.com/acme/web", "0badc0ffee99", "vic", "while down")); err != nil {
		t.Fatal(err)
	}
	second := startBotWith(t, h.db, h.do, commands.Config{Region: "nyc3", ElsewhereEvery: 30 * time.Millisecond}, nil)
	waitFor(t, "the push made while the bot was down", func() bool {
		return strings.Contains(strings.Join(second.chat.all(), "\n"), "push of 0badc0f to acme/web by vic")
	})
	before := h.do.Count("GET /v2/apps")
	waitFor(t, "the restarted bot to list the apps twice more", func() bool { return h.do.Count("GET /v2/apps") >= before+2 })
	if got := strings.Join(second.chat.all(), "\n"); strings.Contains(got, "feedfac") || strings.Contains(got, "raj@example.com") {
		t.Errorf("the restarted bot reported again what was reported:\n%s", got)
	}
}

// startBotWith is startBot with the bot's settings.
// startBotWith starts a bot with cfg over st and srv, on now (nil: the
// real clock), stopped when the test ends.
func startBotWith(t *testing.T, st commands.Store, srv *dotest.Server, cfg commands.Config, now func() time.Time) *runningBot {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	w := watch.New(client.Apps, nil, watch.Fixed(20*time.Millisecond))
	go w.Run(ctx)
	chat := &recordingChat{}
	bot, err := commands.New(cfg, commands.Deps{Store: st, Cloud: commands.CloudOf(client), Chat: chat, Watcher: w, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); bot.Wait() }) }
	t.Cleanup(stop)
	return &runningBot{bot: bot, chat: chat, stop: stop}
}

func TestOwnRedeployIsNotReportedAsElsewhere(t *testing.T) {
	h := elsewhereHarness(t)
	h.run("UDEP", "launch web --image nginx")
	h.waitOp(t, 1)
	h.run("UDEP", "redeploy web")
	op := h.waitOp(t, 2)
	before := h.do.Count("GET /v2/apps")
	waitFor(t, "two more passes", func() bool { return h.do.Count("GET /v2/apps") >= before+2 })
	if all := strings.Join(h.chat.all(), "\n"); strings.Contains(all, "started elsewhere") {
		t.Errorf("the bot's own redeploy (%s) was reported as started elsewhere:\n%s", op.DeploymentID, all)
	}
}

// An app watched in another channel gets the report there, as a new
// message with the progress in its thread.
func TestElsewhereGoesToTheWatchedChannel(t *testing.T) {
	h := elsewhereHarness(t)
	h.run("UDEP", "launch web --image nginx")
	op := h.waitOp(t, 1)
	h.run("UDEP", "watch web #COPS1")
	if _, err := h.do.StartDeployment(op.ResourceID, dosim.Manual("raj@example.com")); err != nil {
		t.Fatal(err)
	}
	var head string
	waitFor(t, "the report in COPS1", func() bool {
		h.chat.mu.Lock()
		defer h.chat.mu.Unlock()
		for _, s := range h.chat.sent {
			if s.Kind == "post" && s.Channel == "COPS1" && strings.Contains(s.Msg.Text, "started outside the bot: manual, by raj@example.com") {
				head = s.TS
				return true
			}
		}
		return false
	})
	waitFor(t, "the outcome in its thread", func() bool { return strings.Contains(h.chat.threadText(head), "started elsewhere is live") })
	if strings.Contains(h.chat.threadText(op.MessageTS), "started elsewhere") {
		t.Errorf("the report went to the launch thread too")
	}
}
