package dotest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot/internal/dotest"
	"dobot/internal/testclock"
)

// fakeClock is a clock the test steps by hand.
type fakeClock = testclock.Clock

func newClock() *fakeClock { return testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) }

const delay = 200 * time.Millisecond

func start(t *testing.T) (*dotest.Server, *fakeClock) {
	t.Helper()
	clock := newClock()
	return dotest.New(t, dotest.Options{PhaseDelay: delay, Clock: clock.Now}), clock
}

// client is a real godo client, authenticated as the bot's would be.
func client(t *testing.T, srv *dotest.Server, token string, opts ...godo.ClientOpt) *godo.Client {
	t.Helper()
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	c, err := godo.New(hc, append([]godo.ClientOpt{godo.SetBaseURL(srv.URL())}, opts...)...)
	if err != nil {
		t.Fatalf("godo.New: %v", err)
	}
	return c
}

// imageSpec is a spec running ghcr.io/OWNER/REPO:1.2.3 for repo
// "OWNER/REPO", listening on 8080 as the test registry's acme images do.
func imageSpec(name, repo string) *godo.AppSpec {
	owner, repo, _ := strings.Cut(repo, "/")
	return &godo.AppSpec{
		Name:   name,
		Region: "ams",
		Services: []*godo.AppServiceSpec{{
			Name: "web",
			Image: &godo.ImageSourceSpec{
				RegistryType: godo.ImageSourceSpecRegistryType_Ghcr,
				Registry:     owner,
				Repository:   repo,
				Tag:          "1.2.3",
			},
			InstanceSizeSlug: "apps-s-1vcpu-0.5gb",
			InstanceCount:    1,
			HTTPPort:         8080,
		}},
	}
}

func create(t *testing.T, c *godo.Client, spec *godo.AppSpec) *godo.App {
	t.Helper()
	app, _, err := c.Apps.Create(context.Background(), &godo.AppCreateRequest{Spec: spec})
	if err != nil {
		t.Fatalf("Apps.Create(%q): %v", spec.Name, err)
	}
	return app
}

func findStep(steps []*godo.DeploymentProgressStep, name string) *godo.DeploymentProgressStep {
	for _, s := range steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func TestLifecycleToActive(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()

	app := create(t, c, imageSpec("web-app", "acme/web"))
	if app.ID == "" || app.Region == nil || app.Region.Slug != "ams" || app.CreatedAt.IsZero() {
		t.Fatalf("Create = id %q region %+v created %v; want id, region ams, created_at", app.ID, app.Region, app.CreatedAt)
	}
	if d := app.InProgressDeployment; d == nil || d.Phase != godo.DeploymentPhase_PendingBuild {
		t.Fatalf("Create in_progress_deployment = %+v; want PENDING_BUILD", d)
	}

	tests := []struct {
		at        time.Duration
		want      godo.DeploymentPhase
		buildStep godo.DeploymentProgressStepStatus
	}{
		{0, godo.DeploymentPhase_PendingBuild, godo.DeploymentProgressStepStatus_Pending},
		{delay, godo.DeploymentPhase_Building, godo.DeploymentProgressStepStatus_Running},
		{2 * delay, godo.DeploymentPhase_Deploying, godo.DeploymentProgressStepStatus_Success},
	}
	var elapsed time.Duration
	for _, tt := range tests {
		clock.Advance(tt.at - elapsed)
		elapsed = tt.at
		apps, _, err := c.Apps.List(ctx, nil)
		if err != nil || len(apps) != 1 {
			t.Fatalf("Apps.List at %v = %d apps, %v; want 1", tt.at, len(apps), err)
		}
		d := apps[0].InProgressDeployment
		if d == nil || d.Phase != tt.want {
			t.Fatalf("List at %v: in_progress_deployment = %+v; want phase %s", tt.at, d, tt.want)
		}
		if got := findStep(d.Progress.Steps, "build").Status; got != tt.buildStep {
			t.Errorf("at %v: build step = %s; want %s", tt.at, got, tt.buildStep)
		}
		if d.Progress.TotalSteps != 6 {
			t.Errorf("at %v: total_steps = %d; want 6", tt.at, d.Progress.TotalSteps)
		}
		if apps[0].LiveURL != "" || apps[0].ActiveDeployment != nil {
			t.Errorf("at %v: live_url %q, active %v before ACTIVE", tt.at, apps[0].LiveURL, apps[0].ActiveDeployment)
		}
	}

	clock.Advance(3*delay - elapsed)
	got, _, err := c.Apps.Get(ctx, app.ID)
	if err != nil {
		t.Fatalf("Apps.Get: %v", err)
	}
	if got.InProgressDeployment != nil {
		t.Errorf("Get when live: in_progress_deployment = %+v; want none", got.InProgressDeployment)
	}
	ad := got.ActiveDeployment
	if ad == nil || ad.Phase != godo.DeploymentPhase_Active {
		t.Fatalf("Get when live: active_deployment = %+v; want ACTIVE", ad)
	}
	if !strings.HasPrefix(got.LiveURL, "https://web-app-") || !strings.HasSuffix(got.LiveURL, ".ondigitalocean.app") || got.DefaultIngress != got.LiveURL {
		t.Errorf("live_url = %q, default_ingress = %q; want https://web-app-xxxxx.ondigitalocean.app for both", got.LiveURL, got.DefaultIngress)
	}
	if got.LastDeploymentActiveAt.IsZero() {
		t.Errorf("last_deployment_active_at is zero when live")
	}
	if p := ad.Progress; p.SuccessSteps != p.TotalSteps || p.PendingSteps+p.RunningSteps+p.ErrorSteps != 0 {
		t.Errorf("progress when live = %+v; want every step SUCCESS", p)
	}
	web := findStep(findStep(findStep(ad.Progress.Steps, "build").Steps, "components").Steps, "web")
	if web == nil || web.MessageBase != "Building service" || web.ComponentName != "web" || web.EndedAt.IsZero() {
		t.Errorf("build/components/web = %+v; want message_base Building service, component web, ended", web)
	}

	dep, _, err := c.Apps.GetDeployment(ctx, app.ID, ad.ID)
	if err != nil || dep.Phase != godo.DeploymentPhase_Active {
		t.Errorf("GetDeployment = %v, %v; want ACTIVE", dep, err)
	}
	deps, _, err := c.Apps.ListDeployments(ctx, app.ID, nil)
	if err != nil || len(deps) != 1 {
		t.Errorf("ListDeployments = %d, %v; want 1", len(deps), err)
	}

	logs, _, err := c.Apps.GetLogs(ctx, app.ID, ad.ID, "web", godo.AppLogTypeBuild, false, 100)
	if err != nil || logs.LiveURL == "" {
		t.Fatalf("GetLogs = %+v, %v; want a live_url", logs, err)
	}
	text := readLive(t, logs.LiveURL, "Build complete")
	if !strings.Contains(text, "web ") || !strings.Contains(text, "Build complete") {
		t.Errorf("build log = %q; want web lines ending in Build complete", text)
	}

	if served, ok := srv.App(app.ID); !ok || served.LiveURL != got.LiveURL {
		t.Errorf("srv.App = %q, %v; want live_url %q", served.LiveURL, ok, got.LiveURL)
	}
	if n := srv.Count("POST /v2/apps"); n != 1 {
		t.Errorf(`Count("POST /v2/apps") = %d; want 1`, n)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations on the valid path: %q", v)
	}
}

func TestFailBuild(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, "do-test-token")
	srv.FailBuild("broken", "npm ERR! missing script: build")

	app := create(t, c, imageSpec("broken-app", "acme/broken"))
	clock.Advance(delay)
	got, _, err := c.Apps.Get(context.Background(), app.ID)
	if err != nil || got.InProgressDeployment.Phase != godo.DeploymentPhase_Building {
		t.Fatalf("Get after one phase = %v; want BUILDING", err)
	}
	clock.Advance(5 * delay)
	deps, _, err := c.Apps.ListDeployments(context.Background(), app.ID, nil)
	if err != nil || len(deps) != 1 {
		t.Fatalf("ListDeployments = %d, %v", len(deps), err)
	}
	d := deps[0]
	if d.Phase != godo.DeploymentPhase_Error {
		t.Fatalf("phase = %s; want ERROR", d.Phase)
	}
	build := findStep(d.Progress.Steps, "build")
	if build.Status != godo.DeploymentProgressStepStatus_Error || build.Reason == nil || build.Reason.Message != "npm ERR! missing script: build" {
		t.Errorf("build step = %+v; want ERROR with the reason", build)
	}
	web := findStep(findStep(build.Steps, "components").Steps, "web")
	if web.Status != godo.DeploymentProgressStepStatus_Error || web.Reason == nil || web.Reason.Code == "" {
		t.Errorf("build/components/web = %+v; want ERROR with a reason code", web)
	}
	if deploy := findStep(d.Progress.Steps, "deploy"); deploy.Status != godo.DeploymentProgressStepStatus_Pending {
		t.Errorf("deploy step = %s; want PENDING", deploy.Status)
	}
	if d.Progress.ErrorSteps != 1 {
		t.Errorf("error_steps = %d; want 1", d.Progress.ErrorSteps)
	}
	got, _, _ = c.Apps.Get(context.Background(), app.ID)
	if got.InProgressDeployment != nil || got.ActiveDeployment != nil || got.LiveURL != "" {
		t.Errorf("failed app: in_progress %v, active %v, live_url %q; want none", got.InProgressDeployment, got.ActiveDeployment, got.LiveURL)
	}
}

func TestDuplicateName(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	create(t, c, imageSpec("twin", "acme/web"))
	_, _, err := c.Apps.Create(context.Background(), &godo.AppCreateRequest{Spec: imageSpec("twin", "acme/web")})
	var er *godo.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("second Create = %v; want *godo.ErrorResponse", err)
	}
	if er.Response.StatusCode != http.StatusConflict || er.RequestID == "" || er.Message != "app name already in use" {
		t.Errorf("second Create = %d %q request %q; want 409, app name already in use, a request id", er.Response.StatusCode, er.Message, er.RequestID)
	}
}

func TestDeleteThenGet(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	app := create(t, c, imageSpec("doomed", "acme/web"))
	if _, err := c.Apps.Delete(context.Background(), app.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, resp, err := c.Apps.Get(context.Background(), app.ID)
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusNotFound || er.RequestID == "" {
		t.Errorf("Get after Delete = %v; want 404 with a request id", err)
	}
	if _, ok := srv.App(app.ID); ok {
		t.Errorf("srv.App after Delete found the app")
	}
}

func TestFaults(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, _ := start(t)
			plain := client(t, srv, "do-test-token")
			srv.Fault("GET /v2/apps", status, 1)
			_, resp, err := plain.Apps.List(context.Background(), nil)
			var er *godo.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != status || er.RequestID == "" {
				t.Fatalf("List with fault = %v; want %d with a request id", err, status)
			}
			if status == http.StatusTooManyRequests && (resp.Rate.Remaining != 0 || resp.Header.Get("Retry-After") != "1") {
				t.Errorf("429 rate = %+v, Retry-After %q; want remaining 0, Retry-After 1", resp.Rate, resp.Header.Get("Retry-After"))
			}

			retrying := client(t, srv, "do-test-token", godo.WithRetryAndBackoffs(godo.RetryConfig{
				RetryMax: 3, RetryWaitMin: godo.PtrTo(0.001), RetryWaitMax: godo.PtrTo(0.01),
			}))
			srv.Fault("GET /v2/apps", status, 1)
			apps, resp, err := retrying.Apps.List(context.Background(), nil)
			if err != nil || apps == nil {
				t.Fatalf("List with retries after a %d = %v; want success", status, err)
			}
			if resp.Rate.Limit != 5000 {
				t.Errorf("rate limit = %d; want 5000", resp.Rate.Limit)
			}
			if n := srv.Count("GET /v2/apps"); n != 3 {
				t.Errorf(`Count("GET /v2/apps") = %d; want 3 (fault, fault, retry)`, n)
			}
		})
	}
}

func TestErrorRateAndDelay(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	srv.ErrorRate("*", 1)
	_, resp, err := c.Apps.ListRegions(context.Background())
	if err == nil || (resp.StatusCode != 500 && resp.StatusCode != 503) {
		t.Errorf("ListRegions at error rate 1 = %v; want 500 or 503", err)
	}
	srv.ErrorRate("*", 0)
	srv.Delay("GET /v2/apps/regions", time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.Apps.ListRegions(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ListRegions with a delay = %v; want deadline exceeded", err)
	}
}

func TestBadToken(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "not-the-token")
	_, resp, err := c.Apps.List(context.Background(), nil)
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusUnauthorized || er.Message != "Unable to authenticate you" || er.RequestID == "" {
		t.Errorf("List with a bad token = %v; want 401 Unable to authenticate you", err)
	}
}

func TestMoreRoutes(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()
	app := create(t, c, imageSpec("busy", "acme/web"))

	// A deployment started while another is in progress supersedes it.
	d, _, err := c.Apps.CreateDeployment(ctx, app.ID)
	if err != nil || d.Phase != godo.DeploymentPhase_PendingBuild {
		t.Fatalf("CreateDeployment = %+v, %v", d, err)
	}
	first, _, _ := c.Apps.GetDeployment(ctx, app.ID, app.InProgressDeployment.ID)
	if first.Phase != godo.DeploymentPhase_Superseded {
		t.Errorf("first deployment = %s; want SUPERSEDED", first.Phase)
	}
	// godo has no method to cancel a deployment: the bot uses NewRequest and Do.
	req, err := c.NewRequest(ctx, http.MethodPost, fmt.Sprintf("v2/apps/%s/deployments/%s/cancel", app.ID, d.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	var canceled struct{ Deployment *godo.Deployment }
	if _, err := c.Do(ctx, req, &canceled); err != nil || canceled.Deployment.Phase != godo.DeploymentPhase_Canceled {
		t.Errorf("cancel deployment = %+v, %v; want CANCELED", canceled.Deployment, err)
	}

	spec := imageSpec("busy", "acme/web")
	spec.Services[0].InstanceCount = 2
	spec.Services[0].InstanceSizeSlug = "apps-s-1vcpu-1gb"
	updated, _, err := c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: spec})
	if err != nil || updated.PendingDeployment == nil || updated.PendingDeployment.Cause != "app spec updated" {
		t.Fatalf("Update = %v; want a new deployment as pending_deployment", err)
	}
	clock.Advance(3 * delay)
	if got, _, _ := c.Apps.Get(ctx, app.ID); got.ActiveDeployment == nil || got.ActiveDeployment.ID != updated.PendingDeployment.ID {
		t.Errorf("after Update: active_deployment = %v; want the update's", got.ActiveDeployment)
	}
	deps, _, _ := c.Apps.ListDeployments(ctx, app.ID, &godo.ListOptions{PerPage: 2})
	if len(deps) != 2 || deps[0].ID != updated.InProgressDeployment.ID {
		t.Errorf("ListDeployments per_page 2 = %d, first %v; want 2, newest first", len(deps), deps)
	}

	prop, _, err := c.Apps.Propose(ctx, &godo.AppProposeRequest{Spec: imageSpec("busy", "acme/web")})
	if err != nil || prop.AppNameAvailable || prop.AppCost != 5 {
		t.Errorf("Propose(taken name) = %+v, %v; want unavailable, cost 5", prop, err)
	}
	sizes, _, err := c.Apps.ListInstanceSizes(ctx)
	if err != nil || len(sizes) < 3 || sizes[0].USDPerMonth != "5.00" {
		t.Errorf("ListInstanceSizes = %v, %v", sizes, err)
	}
	if sz, _, err := c.Apps.GetInstanceSize(ctx, "apps-s-1vcpu-1gb"); err != nil || sz.USDPerMonth != "12.00" {
		t.Errorf("GetInstanceSize = %v, %v; want $12", sz, err)
	}
	regions, _, err := c.Apps.ListRegions(ctx)
	if err != nil || len(regions) < 5 {
		t.Errorf("ListRegions = %v, %v", regions, err)
	}
	if _, _, err := c.Apps.GetLogs(ctx, app.ID, "", "", godo.AppLogTypeRun, false, 10); err != nil {
		t.Errorf("GetLogs of the active deployment: %v", err)
	}

	for _, name := range []string{"a-one", "a-two"} {
		create(t, c, imageSpec(name, "acme/web"))
	}
	page1, resp, err := c.Apps.List(ctx, &godo.ListOptions{Page: 1, PerPage: 2})
	if err != nil || len(page1) != 2 || resp.Links.IsLastPage() || resp.Meta.Total != 3 {
		t.Errorf("List page 1 of 2 = %d apps, links %+v, meta %+v, %v", len(page1), resp.Links, resp.Meta, err)
	}
	page2, resp, err := c.Apps.List(ctx, &godo.ListOptions{Page: 2, PerPage: 2})
	if err != nil || len(page2) != 1 || !resp.Links.IsLastPage() {
		t.Errorf("List page 2 of 2 = %d apps, %v", len(page2), err)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations on the valid path: %q", v)
	}
}

// recordingTB is a testing.TB that keeps what New reports at cleanup,
// so a test can check that the detector catches a violation.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
	errs     []string
}

func (r *recordingTB) Helper()          {}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(f string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(f, args...))
}

func (r *recordingTB) cleanup() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestViolationsAreCaught(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantViolation            string
	}{
		{"spec without name", "POST", "/v2/apps", `{"spec":{"region":"ams","services":[{"name":"web","image":{"registry_type":"GHCR","repository":"acme/web"}}]}}`, 400, `property "name" is missing`},
		{"unknown region", "POST", "/v2/apps", `{"spec":{"name":"x1","region":"mars"}}`, 400, "/spec/region"},
		{"per_page over 200", "GET", "/v2/apps?per_page=500", "", 400, "per_page"},
		{"unknown route", "GET", "/v2/apps/abc/nonsense", "", 404, "unknown route"},
		{"route dotest lacks", "GET", "/v2/apps/abc/alerts", "", 404, "apps_list_alerts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rtb := &recordingTB{TB: t}
			srv := dotest.New(rtb, dotest.Options{})
			req, _ := http.NewRequest(tt.method, strings.TrimSuffix(srv.URL(), "/")+tt.path, bytes.NewBufferString(tt.body))
			req.Header.Set("Authorization", "Bearer do-test-token")
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.wantStatus || res.Header.Get("x-request-id") == "" {
				t.Errorf("%s %s = %d; want %d with an x-request-id", tt.method, tt.path, res.StatusCode, tt.wantStatus)
			}
			rtb.cleanup()
			if len(rtb.errs) == 0 || !strings.Contains(strings.Join(rtb.errs, "\n"), tt.wantViolation) {
				t.Errorf("reported at cleanup: %q; want a report containing %q", rtb.errs, tt.wantViolation)
			}
		})
	}
}
