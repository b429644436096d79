package follow_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot"
	"dobot/chat"
	"dobot/deploy/follow"
	"dobot/internal/dosim"
	"dobot/internal/dotest"
	"dobot/internal/testclock"
	"dobot/watch"
)

// A failed deployment names its deepest failing step and DigitalOcean's
// reason, and its top-level step picks the log to fetch.
func TestStateOfNamesTheFailingStep(t *testing.T) {
	app := &godo.App{LiveURL: "https://web.example"}
	failed := &godo.Deployment{ID: "d1", Phase: godo.DeploymentPhase_Error, Progress: &godo.DeploymentProgress{
		SuccessSteps: 1, TotalSteps: 4, Steps: []*godo.DeploymentProgressStep{
			{Name: "build", Status: godo.DeploymentProgressStepStatus_Success},
			{Name: "deploy", Status: godo.DeploymentProgressStepStatus_Error,
				Reason: &godo.DeploymentProgressStepReason{Code: "HealthCheckFailed", Message: "no answer on 8080"},
				Steps:  []*godo.DeploymentProgressStep{{Name: "web", Status: godo.DeploymentProgressStepStatus_Error}}},
		}}}
	tests := []struct {
		name string
		in   *godo.Deployment
		want follow.State
	}{
		{"failed", failed, follow.State{Phase: "ERROR", DeploymentID: "d1", Progress: &chat.Progress{Done: 1, Total: 4},
			Failure: "step `deploy › web` failed: no answer on 8080 (HealthCheckFailed)", FailedStep: "deploy"}},
		{"live", &godo.Deployment{ID: "d2", Phase: godo.DeploymentPhase_Active}, follow.State{Phase: "ACTIVE", DeploymentID: "d2", URL: "https://web.example"}},
		{"no phase yet", &godo.Deployment{ID: "d3"}, follow.State{Phase: "PENDING_BUILD", DeploymentID: "d3"}},
		{"superseded", &godo.Deployment{ID: "d4", Phase: godo.DeploymentPhase_Superseded}, follow.State{Phase: "SUPERSEDED", DeploymentID: "d4", Failure: "a newer deployment replaced this one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := follow.StateOf(tt.in, app)
			if fmt.Sprint(got.Progress) != fmt.Sprint(tt.want.Progress) {
				t.Errorf("StateOf(%s).Progress = %v; want %v", tt.name, got.Progress, tt.want.Progress)
			}
			got.Progress, tt.want.Progress = nil, nil
			if got != tt.want {
				t.Errorf("StateOf(%s) = %+v; want %+v", tt.name, got, tt.want)
			}
		})
	}
	if got, want := follow.PhaseLine(follow.StateOf(failed, app)), "❌ Failed (1/4 steps done)"; got != want {
		t.Errorf("PhaseLine(failed) = %q; want %q", got, want)
	}
	if got := follow.PhaseName("NEW_PHASE"); got != "NEW_PHASE" {
		t.Errorf("PhaseName of an unknown phase = %q; want it as DigitalOcean names it", got)
	}
}

// recorder is a chat that records what it is asked to show and upload.
type recorder struct {
	mu   sync.Mutex
	sent []string
}

func (c *recorder) add(kind, text string) chat.Ref {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, kind+" "+text)
	return chat.Ref{Channel: "C1", ID: fmt.Sprint(len(c.sent))}
}
func (c *recorder) Post(_ context.Context, _ string, m chat.Message) (chat.Ref, error) {
	return c.add("post", chat.Plain(m.Title)), nil
}
func (c *recorder) Reply(_ context.Context, _ chat.Ref, m chat.Message) (chat.Ref, error) {
	return c.add("reply", chat.Plain(m.Text)), nil
}
func (c *recorder) Update(_ context.Context, _ chat.Ref, m chat.Message) error {
	c.add("update", chat.Plain(m.Title))
	return nil
}
func (c *recorder) Ephemeral(context.Context, string, string, chat.Message) error { return nil }
func (c *recorder) Respond(context.Context, string, chat.Message) error           { return nil }
func (c *recorder) Upload(_ context.Context, _ chat.Ref, name, _, content string) error {
	c.add("upload", name+" "+content)
	return nil
}
func (c *recorder) UploadDirect(context.Context, string, string, string, string) error { return nil }
func (c *recorder) Permalink(context.Context, chat.Ref) (string, error)                { return "", nil }

func (c *recorder) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.sent, "\n")
}

// A deployment started in the control panel that fails its build is
// announced, followed phase by phase, ended with the failing step and its
// log, and audited at its start and its end.
func TestElsewhereFollowsAFailedBuildToItsLog(t *testing.T) {
	const phase = time.Minute
	clock := testclock.New(time.Now())
	srv := dotest.New(t, dotest.Options{Token: "tok", PhaseDelay: phase, Clock: clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: &godo.AppSpec{Name: "web", Region: "nyc", Services: []*godo.AppServiceSpec{{
		Name: "web", Image: &godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_DockerHub, Registry: "library", Repository: "nginx", Tag: "1.27"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * phase) // the first deployment goes live
	o := dosim.Manual("raj@example.com")
	o.FailAt, o.Reason = "build", "exit status 2"
	id, err := srv.StartDeployment(app.ID, o)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := client.Apps.GetDeployment(ctx, app.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	w := watch.New(client.Apps, nil, watch.Fixed(10*time.Millisecond))
	go w.Run(ctx)
	var (
		mu      sync.Mutex
		audited []string
	)
	rec := &recorder{}
	f := &follow.Follower{Apps: client.Apps, Chat: rec, Watcher: w, Timeout: time.Minute, Now: time.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Stopping: func() bool { return false },
		Audit: func(_ context.Context, e dobot.AuditEntry) error {
			mu.Lock()
			defer mu.Unlock()
			audited = append(audited, e.Action+" "+e.Outcome)
			return nil
		}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Elsewhere(ctx, dobot.App{Name: "web", ResourceID: app.ID}, d, chat.Message{Title: "started elsewhere"}, "C1", "")
	}()
	clock.Advance(3 * phase)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("the follow did not end; the thread has:\n%s", rec.all())
	}
	text := rec.all()
	for _, want := range []string{"post started elsewhere", "started elsewhere failed: step", "upload web-build.log"} {
		if !strings.Contains(text, want) {
			t.Errorf("the thread lacks %q:\n%s", want, text)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := strings.Join(audited, ", "), "do.deployment_elsewhere started, do.deployment_elsewhere failed"; got != want {
		t.Errorf("audited %q; want %q", got, want)
	}
}
