package docloud_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot/docloud"
	"dobot/internal/dotest"
	"dobot/internal/testclock"
)

// countingTransport counts the requests that go through it, to show that
// logs are read with the injected client.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// clock is a test clock the server derives deployment phases from.
type clock = testclock.Clock

// createApp creates a one-service app straight on the test server and moves
// the clock past its first deployment.
func createApp(t *testing.T, client *godo.Client, clk *clock, name, repo string) *godo.App {
	t.Helper()
	ctx := context.Background()
	app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: &godo.AppSpec{Name: name, Region: "nyc", Services: []*godo.AppServiceSpec{{
		Name: name, HTTPPort: 80, Image: &godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: repo, Tag: "1"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	app, _, err = client.Apps.Get(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func TestLogsHistoricFileThroughTheInjectedClient(t *testing.T) {
	clk := testclock.New(time.Now())
	srv, client := newCloud(t, dotest.Options{Clock: clk.Now})
	srv.FailBuild("broken", "exit status 2")
	app := createApp(t, client, clk, "web", "broken")
	deps, _, err := client.Apps.ListDeployments(context.Background(), app.ID, &godo.ListOptions{})
	if err != nil || len(deps) != 1 {
		t.Fatalf("ListDeployments(%s) = %d deployments, %v; want the failed one", app.ID, len(deps), err)
	}
	dep := deps[0]
	ct := &countingTransport{}
	l := docloud.Logs{Apps: client.Apps, HTTP: &http.Client{Transport: ct}}
	text, err := l.Fetch(context.Background(), app, dep.ID, godo.AppLogTypeBuild, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "ERROR: build failed: exit status 2") {
		t.Errorf("Fetch(build) = %q; want the build failure", text)
	}
	if ct.n.Load() == 0 {
		t.Error("the log file was not read through the injected client")
	}
}

func TestLogsLiveStreamKeepsTheLastLines(t *testing.T) {
	clk := testclock.New(time.Now())
	_, client := newCloud(t, dotest.Options{Clock: clk.Now})
	app := createApp(t, client, clk, "web", "nginx")
	dep := docloud.CurrentDeployment(app)
	if dep == nil {
		t.Fatalf("app %s has no current deployment", app.ID)
	}
	ct := &countingTransport{}
	// The build log of an active deployment is a live stream holding two
	// lines; asking for two ends the read without waiting for the window.
	l := docloud.Logs{Apps: client.Apps, HTTP: &http.Client{Transport: ct}, LiveWindow: time.Minute}
	text, err := l.Fetch(context.Background(), app, dep.ID, godo.AppLogTypeBuild, 2)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n"); len(lines) != 2 || !strings.Contains(text, "Build complete") {
		t.Errorf("Fetch(build, 2) = %q; want the two build lines", text)
	}
	if ct.n.Load() == 0 {
		t.Error("the live stream was not opened through the injected client")
	}
}
