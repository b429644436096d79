package commands_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/commands"
	"dobot/internal/dotest"
)

// countingTransport counts the requests that go through it, to show which
// client the bot used.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// manageApp creates an app straight on the test server, records it in the
// store as the bot's, and waits until its deployment has ended.
func (h *harness) manageApp(t *testing.T, name, repo string) godo.App {
	t.Helper()
	ctx := context.Background()
	app, _, err := h.client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: &godo.AppSpec{Name: name, Region: "nyc", Services: []*godo.AppServiceSpec{{
		Name: name, HTTPPort: 80, Image: &godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: repo, Tag: "1"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.db.PutApp(ctx, dobot.App{Name: name, Kind: "app", ResourceID: app.ID, Region: "nyc", Image: repo, Owner: "UOWNER", Channel: "C1", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var a godo.App
	waitFor(t, "app "+name+" to finish deploying", func() bool {
		a, _ = h.do.App(app.ID)
		return a.InProgressDeployment == nil && (a.ActiveDeployment != nil || len(a.Spec.Services) > 0 && time.Since(a.CreatedAt) > 2*time.Second)
	})
	return a
}

// logAnswers are the logs the bot showed: snippets it uploaded anywhere,
// and code blocks in private answers, each with Msg.Text the log text.
func (c *recordingChat) logAnswers() []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []sent
	for _, s := range c.sent {
		switch {
		case s.Kind == "upload" || s.Kind == "upload-direct":
			out = append(out, s)
		case s.Kind == "ephemeral" && strings.Count(s.Msg.Text, "```") == 2:
			_, code, _ := strings.Cut(s.Msg.Text, "```")
			s.Msg.Text = strings.TrimSuffix(code, "```")
			out = append(out, s)
		}
	}
	return out
}

// A running app's logs are a live websocket that never closes: /do logs
// reads it for at most --lines lines or the live window, whichever comes
// first, through the injected HTTP client.
func TestLogsReadLiveStream(t *testing.T) {
	tr := &countingTransport{}
	h := newHarnessWith(t, commands.Config{Region: "nyc3", LiveLogWindow: 400 * time.Millisecond},
		dotest.Options{Token: "tok", PhaseDelay: 40 * time.Millisecond}, &http.Client{Transport: tr})
	h.grant(t, "UVIEW", dobot.RoleViewer)
	h.manageApp(t, "web", "nginx")

	// Run logs keep coming: the line limit ends the read.
	if out := h.run("UVIEW", "logs web --lines 3"); strings.Contains(out, ":warning:") {
		t.Fatalf("logs web = %q; want the live lines", out)
	}
	ups := h.chat.logAnswers()
	if len(ups) != 1 {
		t.Fatalf("uploads = %d; want 1 (answers: %q)", len(ups), h.chat.lastEphemeral("UVIEW"))
	}
	if lines := strings.Split(strings.TrimSpace(ups[0].Msg.Text), "\n"); len(lines) != 3 || !strings.Contains(ups[0].Msg.Text, "web") {
		t.Errorf("run log = %q; want 3 lines of web's log", ups[0].Msg.Text)
	}

	// Build logs stop growing but the stream stays open: the window ends
	// the read, and what came is kept.
	if out := h.run("UVIEW", "logs web --type build --lines 50"); strings.Contains(out, ":warning:") {
		t.Fatalf("logs web --type build = %q; want the build lines", out)
	}
	ups = h.chat.logAnswers()
	if len(ups) != 2 || !strings.Contains(ups[1].Msg.Text, "Build complete") {
		t.Fatalf("build log uploads = %+v; want the build log", ups)
	}
	if tr.n.Load() == 0 {
		t.Errorf("the live logs were not read through the injected HTTP client")
	}
}

// A failed deployment's logs are archived: historic_urls are read, with no
// live stream.
func TestLogsReadHistoricFiles(t *testing.T) {
	h := newHarnessWith(t, commands.Config{Region: "nyc3", LiveLogWindow: 400 * time.Millisecond},
		dotest.Options{Token: "tok", PhaseDelay: 40 * time.Millisecond}, nil)
	h.grant(t, "UVIEW", dobot.RoleViewer)
	h.do.FailBuild("broken", "exit status 1")
	h.manageApp(t, "bad", "broken")
	h.run("UVIEW", "logs bad --type build")
	ups := h.chat.logAnswers()
	if len(ups) != 1 || !strings.Contains(ups[0].Msg.Text, "build failed: exit status 1") {
		t.Fatalf("uploads = %+v (answer %q); want the archived build log", ups, h.chat.lastEphemeral("UVIEW"))
	}
}

// A live stream that breaks after some lines still answers with those
// lines and says the stream broke off; one that breaks before any line
// fails with a clear message.
func TestLogsLiveStreamFailure(t *testing.T) {
	h := newHarnessWith(t, commands.Config{Region: "nyc3", LiveLogWindow: 2 * time.Second},
		dotest.Options{Token: "tok", PhaseDelay: 40 * time.Millisecond}, nil)
	h.grant(t, "UVIEW", dobot.RoleViewer)
	h.manageApp(t, "web", "nginx")
	h.do.BreakLiveLogs(1)
	h.run("UVIEW", "logs web --type build --lines 50")
	ups := h.chat.logAnswers()
	if len(ups) != 1 || !strings.Contains(ups[0].Msg.Text, "broke off") || len(strings.Split(strings.TrimSpace(ups[0].Msg.Text), "\n")) != 2 {
		t.Fatalf("uploads = %+v (answer %q); want the line read and a note", ups, h.chat.lastEphemeral("UVIEW"))
	}
	h.do.BreakLiveLogs(0)
	if out := h.run("UVIEW", "logs web --type build"); !strings.Contains(out, "live build log stream for this deployment could not be read") {
		t.Errorf("logs with a stream that gives nothing = %q; want an error", out)
	}
}
