package dotest_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot/internal/dotest"
)

// simulator starts a server with NewSimulator, which knows no testing.TB,
// and collects what it reports.
func simulator(t *testing.T, opts dotest.Options) (*dotest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var reported []string
	srv, err := dotest.NewSimulator(opts, func(v string) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, v)
	})
	if err != nil {
		t.Fatalf("NewSimulator: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), reported...)
	}
}

func TestSimulatorRunsAppsToActive(t *testing.T) {
	clock := newClock()
	srv, reported := simulator(t, dotest.Options{Token: "console-token", PhaseDelay: 2 * time.Second, Clock: clock.Now})
	c := client(t, srv, "console-token")
	ctx := context.Background()

	app := create(t, c, imageSpec("sim-web", "acme/web"))
	phase := func() godo.DeploymentPhase {
		t.Helper()
		ds, _, err := c.Apps.ListDeployments(ctx, app.ID, nil)
		if err != nil || len(ds) == 0 {
			t.Fatalf("ListDeployments = %v, %v; want one deployment", ds, err)
		}
		return ds[0].Phase
	}
	steps := []struct {
		after time.Duration
		want  godo.DeploymentPhase
	}{
		{0, godo.DeploymentPhase_PendingBuild},
		{2 * time.Second, godo.DeploymentPhase_Building},
		{2 * time.Second, godo.DeploymentPhase_Deploying},
		{2 * time.Second, godo.DeploymentPhase_Active},
	}
	for _, s := range steps {
		clock.Advance(s.after)
		if got := phase(); got != s.want {
			t.Fatalf("phase after %v more = %s; want %s", s.after, got, s.want)
		}
	}
	got, _, err := c.Apps.Get(ctx, app.ID)
	if err != nil || !strings.HasPrefix(got.LiveURL, "https://") {
		t.Fatalf("Get(%s) = live URL %q, %v; want https://…", app.ID, got.LiveURL, err)
	}
	if v := reported(); len(v) != 0 {
		t.Errorf("violations reported for a well-behaved client: %q", v)
	}
}

func TestSimulatorRefusesOtherTokens(t *testing.T) {
	srv, _ := simulator(t, dotest.Options{Token: "console-token"})
	_, res, err := client(t, srv, "do-test-token").Apps.List(context.Background(), nil)
	if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Apps.List with the wrong token = %v, %v; want 401", res, err)
	}
}

// A simulator reports violations as they happen and fails nothing.
func TestSimulatorReportsViolations(t *testing.T) {
	srv, reported := simulator(t, dotest.Options{})
	req, _ := http.NewRequest("GET", srv.URL()+"v2/apps/abc/nonsense", nil)
	req.Header.Set("Authorization", "Bearer do-test-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /v2/apps/abc/nonsense = %d; want 404", res.StatusCode)
	}
	// The report is made before the handler returns, so before the client
	// has the response.
	got := reported()
	if len(got) != 1 || !strings.Contains(got[0], "unknown route") {
		t.Errorf("reported %q; want one unknown route", got)
	}
	if v := srv.Violations(); len(v) != 1 {
		t.Errorf("Violations() = %q; want the one reported", v)
	}
}
