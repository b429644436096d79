package e2e

import (
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKillWithLaunchesInFlightThenRestart SIGKILLs the bot while 20
// launches are under way, some with their create request still in flight,
// and restarts it: every launch reaches its final message and no app is
// created twice.
func TestKillWithLaunchesInFlightThenRestart(t *testing.T) {
	w := newWorld(t, withPhaseDelay(2*time.Second))
	w.do.Delay("POST /v2/apps", 300*time.Millisecond)
	const n = 20
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("app-%02d", i)
		w.run(deployer, fmt.Sprintf("launch %s --image nginx", names[i]))
	}
	for _, name := range names {
		w.launchHead(name)
	}
	if err := w.stop(syscall.SIGKILL, stopBudget); err == nil {
		t.Fatal("SIGKILL did not kill the bot")
	}
	w.start()
	// A kill between posting a launch message and recording it makes the
	// resumed launch post a fresh one, so look for the outcome in any thread.
	for _, name := range names {
		w.waitMessage(name+" live", func(m slacktestMessage) bool {
			return m.Method == "chat.postMessage" && m.ThreadTS != "" && strings.Contains(m.Text, name+" is live at https://")
		})
	}
	created := map[string]int{}
	for _, app := range w.do.Apps() {
		created[app.Spec.Name]++
	}
	for _, name := range names {
		if created[name] != 1 {
			t.Errorf("%s exists %d times on DigitalOcean; want 1", name, created[name])
		}
	}
	if c := w.do.Count("POST /v2/apps"); c < n {
		t.Errorf("only %d create requests for %d launches", c, n)
	}
}

func TestDigitalOceanErrorsAndRateLimitStorms(t *testing.T) {
	w := newWorld(t)
	w.do.ErrorRate("*", 0.3)
	w.launchLive("flaky", "nginx")
	w.do.ErrorRate("*", 0)
	w.do.Fault("*", 429, 4)
	w.launchLive("storm", "nginx")
	if n := w.do.Count("POST /v2/apps"); n < 2 {
		t.Errorf("POST /v2/apps sent %d times; want at least 2", n)
	}
	created := map[string]int{}
	for _, app := range w.do.Apps() {
		created[app.Spec.Name]++
	}
	if created["flaky"] != 1 || created["storm"] != 1 {
		t.Errorf("apps created = %v; want flaky and storm once each", created)
	}
}

func TestSlackRateLimitOnUpdatesLosesNothing(t *testing.T) {
	w := newWorld(t)
	w.slack.RateLimit("chat.update", 3, time.Second)
	head := w.launchLive("web", "nginx")
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(unescapeJSON(w.slack.Latest(channel, head.TS).Blocks), "is live") {
		if time.Now().After(deadline) {
			t.Fatalf("head message never showed the app live after Slack's 429s: %s", w.slack.Latest(channel, head.TS).Blocks)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSocketDropsAndDisconnectsAreSurvived(t *testing.T) {
	w := newWorld(t)
	w.run(viewer, "status")
	w.waitEphemeral(viewer, "no apps")
	for i, disrupt := range []func(){
		func() { w.slack.DropConnection() },
		func() { _ = w.slack.Disconnect("refresh_requested") },
		func() { _ = w.slack.Disconnect("warning") },
	} {
		before := w.slack.Connections()
		disrupt()
		deadline := time.Now().Add(20 * time.Second)
		for w.slack.Connections() <= before {
			if time.Now().After(deadline) {
				t.Fatalf("disruption %d: the bot did not reconnect\n%s", i, w.logs)
			}
			time.Sleep(20 * time.Millisecond)
		}
		w.run(viewer, "roles")
	}
	msgs := 0
	for _, m := range w.slack.Messages() {
		if m.Method == "chat.postEphemeral" && m.User == viewer && strings.Contains(m.Text, "Roles") {
			msgs++
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for msgs < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		msgs = 0
		for _, m := range w.slack.Messages() {
			if m.Method == "chat.postEphemeral" && m.User == viewer && strings.Contains(m.Text, "Roles") {
				msgs++
			}
		}
	}
	if msgs != 3 {
		t.Errorf("got %d answers to roles after 3 reconnects; want 3", msgs)
	}
}

func TestConcurrentLaunchesOfOneAppCreateItOnce(t *testing.T) {
	w := newWorld(t)
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(deployer, "launch web --image nginx")
		}()
	}
	wg.Wait()
	head := w.launchHead("web")
	w.waitThread(head.TS, "is live")
	refusals := 0
	deadline := time.Now().Add(10 * time.Second)
	for refusals < 4 && time.Now().Before(deadline) {
		refusals = 0
		for _, m := range w.slack.Messages() {
			if m.Method == "chat.postEphemeral" && (strings.Contains(m.Text, "is busy") || strings.Contains(m.Text, "already exists")) {
				refusals++
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if refusals != 4 {
		t.Errorf("%d of 4 extra launches were refused; want all 4", refusals)
	}
	if n := w.do.Count("POST /v2/apps"); n != 1 {
		t.Errorf("POST /v2/apps sent %d times for 5 concurrent launches; want 1", n)
	}
}

// TestShutdownAnswersNewCommandsWithRestarting sends SIGTERM while a
// command is still running: a command arriving then is told to try again,
// the running one finishes, and the bot exits cleanly.
func TestShutdownAnswersNewCommandsWithRestarting(t *testing.T) {
	w := newWorld(t)
	const sizes = "GET /v2/apps/tiers/instance_sizes"
	w.do.Delay(sizes, 3*time.Second)
	before := w.do.Arrived(sizes)
	w.run(deployer, "launch web --image nginx --dry-run")
	w.waitUntil("the dry run waiting on DigitalOcean", func() bool { return w.do.Arrived(sizes) > before })
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	w.waitUntil("the bot draining", func() bool { return strings.Contains(w.logs.String(), "stopping: finishing running commands") })
	w.run(viewer, "roles")
	w.waitEphemeral(viewer, "restarting; try again in a minute")
	w.waitEphemeral(deployer, "Dry run of launch web")
	select {
	case err := <-w.exited:
		if err != nil {
			t.Errorf("exit after SIGTERM = %v\n%s", err, w.logs)
		}
	case <-time.After(stopBudget):
		t.Fatalf("bot did not exit within %s", stopBudget)
	}
}
