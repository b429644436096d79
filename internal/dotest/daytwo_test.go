package dotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/internal/dosim"
	"dobot/internal/dotest"
)

func apiMessage(err error) string {
	var e *godo.ErrorResponse
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// gitSpec is a one-service spec building github.com/acme/web.
func gitSpec(name string) *godo.AppSpec {
	return &godo.AppSpec{Name: name, Region: "ams", Services: []*godo.AppServiceSpec{{
		Name: "web", GitHub: &godo.GitHubSourceSpec{Repo: "acme/web", Branch: "main"},
		DockerfilePath: "Dockerfile", HTTPPort: 8080, InstanceCount: 1, InstanceSizeSlug: "apps-s-1vcpu-0.5gb",
	}}}
}

// live steps the clock until the app's latest deployment is ACTIVE.
func live(t *testing.T, c *godo.Client, clock *fakeClock, id string) *godo.App {
	t.Helper()
	for range 10 {
		app, _, err := c.Apps.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("Apps.Get: %v", err)
		}
		if app.InProgressDeployment == nil && app.ActiveDeployment != nil {
			return app
		}
		clock.Advance(delay)
	}
	t.Fatalf("app %s never went live", id)
	return nil
}

func TestDetect(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	tests := []struct {
		name    string
		req     *godo.DetectRequest
		want    []godo.DetectResponseType
		wantErr string
	}{
		{"github dockerfile", &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/web", Branch: "main"}},
			[]godo.DetectResponseType{godo.DetectResponseType_Dockerfile}, ""},
		{"monorepo", &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop"}},
			[]godo.DetectResponseType{godo.DetectResponseType_Dockerfile, godo.DetectResponseType_HTML, godo.DetectResponseType_Buildpack}, ""},
		{"monorepo below a dir", &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop"}, SourceDir: "/worker"},
			[]godo.DetectResponseType{godo.DetectResponseType_Buildpack}, ""},
		{"gitlab static", &godo.DetectRequest{GitLab: &godo.GitLabSourceSpec{Repo: "acme/site"}},
			[]godo.DetectResponseType{godo.DetectResponseType_HTML}, ""},
		{"plain git", &godo.DetectRequest{Git: &godo.GitSourceSpec{RepoCloneURL: "https://git.example.com/acme/tool.git"}},
			[]godo.DetectResponseType{godo.DetectResponseType_Buildpack}, ""},
		{"nothing found", &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/empty"}}, nil, ""},
		{"private github", &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/private"}}, nil,
			"GitHub user does not have access to acme/private"},
		{"unknown github is private to DigitalOcean", &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/nope"}}, nil,
			"GitHub user does not have access to acme/nope"},
		{"private over git", &godo.DetectRequest{Git: &godo.GitSourceSpec{RepoCloneURL: "https://github.com/acme/private.git"}}, nil,
			"Account does not have access to the repo"},
		{"unknown branch", &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/web", Branch: "dev"}}, nil,
			`branch "dev" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := c.Apps.Detect(ctx, tt.req)
			if tt.wantErr != "" {
				if apiStatus(err) != http.StatusBadRequest || !strings.Contains(apiMessage(err), tt.wantErr) {
					t.Fatalf("Detect = %v; want 400 %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			var strategies []godo.DetectResponseType
			for _, comp := range got.Components {
				strategies = append(strategies, comp.Strategy)
			}
			if strings.Join(strs(strategies), ",") != strings.Join(strs(tt.want), ",") {
				t.Errorf("Detect strategies = %v; want %v", strategies, tt.want)
			}
		})
	}
	if n := srv.Count("POST /v2/apps/detect"); n != len(tests) {
		t.Errorf("recorded %d detect requests; want %d", n, len(tests))
	}

	srv.DisconnectGitHub(true)
	_, _, err := c.Apps.Detect(ctx, &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/web"}})
	if !strings.Contains(apiMessage(err), "GitHub user not authenticated") {
		t.Errorf("Detect without GitHub connected = %v; want GitHub user not authenticated", err)
	}
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// A Git-sourced app builds then deploys, and its deployment names the
// commit it built; a private repository is refused at create as at detect.
func TestGitSourcesBuildThenDeploy(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, srv.Token())
	app := create(t, c, gitSpec("web"))
	if p := app.PendingDeployment.Phase; p != godo.DeploymentPhase_PendingBuild {
		t.Fatalf("first phase = %s; want PENDING_BUILD", p)
	}
	clock.Advance(delay)
	got, _, _ := c.Apps.Get(context.Background(), app.ID)
	if p := got.InProgressDeployment.Phase; p != godo.DeploymentPhase_Building {
		t.Fatalf("phase after one delay = %s; want BUILDING", p)
	}
	got = live(t, c, clock, app.ID)
	if h := got.ActiveDeployment.Services[0].SourceCommitHash; !strings.HasPrefix(h, "3f9c2a1") {
		t.Errorf("source_commit_hash = %q; want the repo's head 3f9c2a1…", h)
	}

	private := gitSpec("secret")
	private.Services[0].GitHub.Repo = "acme/private"
	if _, _, err := c.Apps.Create(context.Background(), &godo.AppCreateRequest{Spec: private}); apiStatus(err) != http.StatusBadRequest {
		t.Errorf("create from a private repo = %v; want 400", err)
	}
}

func TestMultiComponentProposeAndChecks(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	spec := &godo.AppSpec{Name: "shop", Region: "fra",
		Services: []*godo.AppServiceSpec{{Name: "api", GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop"}, SourceDir: "api",
			InstanceSizeSlug: "apps-s-1vcpu-1gb", InstanceCount: 2, Routes: []*godo.AppRouteSpec{{Path: "/api"}}}},
		Workers: []*godo.AppWorkerSpec{{Name: "jobs", GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop"}, SourceDir: "worker"}},
		StaticSites: []*godo.AppStaticSiteSpec{{Name: "site", GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop"}, SourceDir: "site",
			Routes: []*godo.AppRouteSpec{{Path: "/"}}}},
	}
	res, _, err := c.Apps.Propose(ctx, &godo.AppProposeRequest{Spec: spec})
	if err != nil {
		t.Fatalf("Propose: %v", err)
	}
	// 2 × $12 for the api, $5 for the worker's default size; the static
	// site is free.
	if res.AppCost != 29 || res.AppIsStatic {
		t.Errorf("Propose = cost %v static %v; want 29, not static", res.AppCost, res.AppIsStatic)
	}

	bad := []struct {
		name   string
		break_ func(s *godo.AppSpec)
		want   string
	}{
		{"name used twice across kinds", func(s *godo.AppSpec) { s.Workers[0].Name = "api" }, "used more than once"},
		{"route used twice", func(s *godo.AppSpec) { s.StaticSites[0].Routes[0].Path = "/api" }, `route path "/api"`},
		{"static site from an image", func(s *godo.AppSpec) {
			s.StaticSites[0].GitHub = nil
		}, "static site needs exactly one source"},
		{"worker beyond its size's one instance", func(s *godo.AppSpec) { s.Workers[0].InstanceCount = 2 }, "allows only one instance"},
		{"two primary domains", func(s *godo.AppSpec) {
			s.Domains = []*godo.AppDomainSpec{{Domain: "a.example.com", Type: "PRIMARY"}, {Domain: "b.example.com", Type: "PRIMARY"}}
		}, "only one domain can be PRIMARY"},
		{"secret type garbled", func(s *godo.AppSpec) {
			s.Envs = []*godo.AppVariableDefinition{{Key: "A", Type: "PLAIN"}}
		}, "GENERAL or SECRET"},
		{"github repo not owner/name", func(s *godo.AppSpec) { s.Services[0].GitHub.Repo = "shop" }, "OWNER/NAME"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			s := cloneSpec(t, spec)
			tt.break_(s)
			_, _, err := c.Apps.Propose(ctx, &godo.AppProposeRequest{Spec: s})
			if apiStatus(err) != http.StatusBadRequest || !strings.Contains(apiMessage(err), tt.want) {
				t.Errorf("Propose = %v; want 400 mentioning %q", err, tt.want)
			}
		})
	}
}

func cloneSpec(t *testing.T, spec *godo.AppSpec) *godo.AppSpec {
	t.Helper()
	var out godo.AppSpec
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestRestartHasNoBuild(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	app := create(t, c, imageSpec("web", "acme/web"))
	// An empty list, not nil: godo sends nil as "components": null, which
	// the description does not allow.
	if _, _, err := c.Apps.Restart(ctx, app.ID, &godo.AppRestartRequest{Components: []string{}}); apiStatus(err) != http.StatusBadRequest {
		t.Errorf("restart before anything is live = %v; want 400", err)
	}
	live(t, c, clock, app.ID)
	if _, _, err := c.Apps.Restart(ctx, app.ID, &godo.AppRestartRequest{Components: []string{"nope"}}); apiStatus(err) != http.StatusBadRequest {
		t.Errorf("restart of an unknown component = %v; want 400", err)
	}
	d, _, err := c.Apps.Restart(ctx, app.ID, &godo.AppRestartRequest{Components: []string{"web"}})
	if err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if d.Phase != godo.DeploymentPhase_PendingDeploy || findStep(d.Progress.Steps, "build") != nil {
		t.Errorf("restart deployment = phase %s, build step %v; want PENDING_DEPLOY and no build", d.Phase, findStep(d.Progress.Steps, "build"))
	}
	if d.CauseDetails == nil || d.CauseDetails.DigitalOceanUserAction == nil ||
		d.CauseDetails.DigitalOceanUserAction.Name != godo.DeploymentCauseDetailsDigitalOceanUserActionName_Restart {
		t.Errorf("restart cause_details = %+v; want the RESTART user action", d.CauseDetails)
	}
	clock.Advance(delay)
	d, _, _ = c.Apps.GetDeployment(ctx, app.ID, d.ID)
	if d.Phase != godo.DeploymentPhase_Deploying {
		t.Errorf("restart after one delay = %s; want DEPLOYING", d.Phase)
	}
	clock.Advance(delay)
	d, _, _ = c.Apps.GetDeployment(ctx, app.ID, d.ID)
	if d.Phase != godo.DeploymentPhase_Active {
		t.Errorf("restart after two delays = %s; want ACTIVE", d.Phase)
	}
}

func TestDomainsConfigureThenActive(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	spec := imageSpec("web", "acme/web")
	spec.Domains = []*godo.AppDomainSpec{{Domain: "www.example.com", Type: godo.AppDomainSpecType_Primary}, {Domain: "example.com", Type: godo.AppDomainSpecType_Alias}}
	srv.HoldDomain("example.com", true)
	app := create(t, c, spec)
	phases := func() map[string]godo.AppDomainPhase {
		got, _, err := c.Apps.Get(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]godo.AppDomainPhase{}
		for _, d := range got.Domains {
			out[d.Spec.Domain] = d.Phase
		}
		return out
	}
	if p := phases(); p["www.example.com"] != godo.AppJobSpecKindPHASE_Configuring || p["example.com"] != godo.AppJobSpecKindPHASE_Pending {
		t.Fatalf("domains at create = %v; want www CONFIGURING, apex PENDING", p)
	}
	clock.Advance(2 * delay)
	if p := phases(); p["www.example.com"] != godo.AppJobSpecKindPHASE_Active || p["example.com"] != godo.AppJobSpecKindPHASE_Pending {
		t.Fatalf("domains after two delays = %v; want www ACTIVE, apex still PENDING", p)
	}
	srv.HoldDomain("example.com", false)
	if p := phases(); p["example.com"] != godo.AppJobSpecKindPHASE_Configuring {
		t.Fatalf("released domain = %v; want CONFIGURING", p)
	}
	clock.Advance(2 * delay)
	if p := phases(); p["example.com"] != godo.AppJobSpecKindPHASE_Active {
		t.Fatalf("released domain later = %v; want ACTIVE", p)
	}
	// Removing a domain from the spec removes it from the app.
	got, _, _ := c.Apps.Get(ctx, app.ID)
	got.Spec.Domains = got.Spec.Domains[:1]
	if _, _, err := c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: got.Spec}); err != nil {
		t.Fatal(err)
	}
	if p := phases(); len(p) != 1 || p["www.example.com"] != godo.AppJobSpecKindPHASE_Active {
		t.Errorf("domains after removing the apex = %v; want www alone, still ACTIVE", p)
	}
}

// SECRET values come back as EV[…]; sent back unchanged they keep the
// secret, a changed one is refused.
func TestSecretsRoundTrip(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	spec := imageSpec("web", "acme/web")
	spec.Services[0].Envs = []*godo.AppVariableDefinition{{Key: "API_KEY", Value: "hunter2", Type: godo.AppVariableType_Secret}}
	app := create(t, c, spec)
	ev := app.Spec.Services[0].Envs[0].Value
	if !strings.HasPrefix(ev, "EV[1:") || strings.Contains(ev, "hunter2") {
		t.Fatalf("secret served as %q; want EV[1:…]", ev)
	}
	upd := app.Spec
	upd.Services[0].Envs = append(upd.Services[0].Envs, &godo.AppVariableDefinition{Key: "MODE", Value: "fast", Type: godo.AppVariableType_General})
	got, _, err := c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: upd})
	if err != nil {
		t.Fatalf("update keeping the EV value: %v", err)
	}
	if v := got.Spec.Services[0].Envs[0].Value; v != ev {
		t.Errorf("kept secret = %q; want %q unchanged", v, ev)
	}
	// Change the last character before "]" to one it is not, so the value
	// always differs from the one DigitalOcean gave.
	garble := "x"
	if ev[len(ev)-2] == 'x' {
		garble = "y"
	}
	upd.Services[0].Envs[0].Value = ev[:len(ev)-2] + garble + "]"
	if _, _, err := c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: upd}); apiStatus(err) != http.StatusBadRequest {
		t.Errorf("update with a garbled EV = %v; want 400", err)
	}
}

func TestDeploymentsStartedElsewhere(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	app := create(t, c, gitSpec("web"))
	live(t, c, clock, app.ID)

	id, err := srv.StartDeployment(app.ID, dosim.Push("https://github.com/acme/web", "abc123def4567890", "ana", "fix the header"))
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := c.Apps.GetDeployment(ctx, app.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Cause != "commit abc123d pushed to github.com/acme/web" || d.CauseDetails.Type != godo.DeploymentCauseDetailsType_DeployOnPush ||
		d.CauseDetails.GitPush.CommitSHA != "abc123def4567890" || d.CauseDetails.GitPush.GitHub.Repo != "acme/web" {
		t.Errorf("pushed deployment = %q %+v; want the push's cause and git_push details", d.Cause, d.CauseDetails)
	}
	if d.Services[0].SourceCommitHash != "abc123def4567890" {
		t.Errorf("pushed deployment builds %q; want the pushed commit", d.Services[0].SourceCommitHash)
	}

	o := dosim.Manual("raj@example.com")
	o.FailAt, o.Reason = "build", "npm ERR! missing script: build"
	id, err = srv.StartDeployment(app.ID, o)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * delay)
	d, _, _ = c.Apps.GetDeployment(ctx, app.ID, id)
	build := findStep(d.Progress.Steps, "build")
	if d.Phase != godo.DeploymentPhase_Error || d.Cause != "manual" || build == nil || build.Reason == nil || build.Reason.Message != o.Reason {
		t.Errorf("failed manual deployment = %s %q build %+v; want ERROR, manual, the reason on the build step", d.Phase, d.Cause, build)
	}
	if _, err := srv.StartDeployment("nope", o); err == nil {
		t.Error("StartDeployment on no app succeeded")
	}
}

func TestProjects(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	prod := srv.AddProject("acme-prod", "Production")
	projects, _, err := c.Projects.List(ctx, nil)
	if err != nil || len(projects) != 2 || !projects[0].IsDefault || projects[1].Name != "acme-prod" {
		t.Fatalf("Projects.List = %+v, %v; want the default and acme-prod", projects, err)
	}
	app := create(t, c, imageSpec("web", "acme/web"))
	drop, _, err := c.Droplets.Create(ctx, dropletRequest("box"))
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := c.Projects.AssignResources(ctx, prod, "do:app:"+app.ID, drop.URN(), "do:droplet:999")
	if err != nil {
		t.Fatalf("AssignResources: %v", err)
	}
	if len(res) != 3 || res[0].Status != "assigned" || res[1].Status != "assigned" || res[2].Status != "not_found" {
		t.Errorf("AssignResources = %+v; want assigned, assigned, not_found", res)
	}
	as := srv.Assignments()
	if len(as) != 2 || as[0].URN != "do:app:"+app.ID || as[0].ProjectID != prod || as[1].URN != drop.URN() {
		t.Errorf("Assignments = %+v; want the app and the droplet in %s", as, prod)
	}
	if got, _, _ := c.Apps.Get(ctx, app.ID); got.ProjectID != prod {
		t.Errorf("app project_id = %q; want %q", got.ProjectID, prod)
	}
	listed, _, err := c.Projects.ListResources(ctx, prod, nil)
	if err != nil || len(listed) != 2 {
		t.Errorf("ListResources = %+v, %v; want the app and the droplet", listed, err)
	}
}

// An app created in a project belongs to it; a project the account does
// not have is refused.
func TestCreateInProject(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	prod := srv.AddProject("acme-prod", "Production")
	app, _, err := c.Apps.Create(ctx, &godo.AppCreateRequest{Spec: imageSpec("web", "acme/web"), ProjectID: prod})
	if err != nil || app.ProjectID != prod {
		t.Fatalf("create in a project = %+v, %v; want project_id %s", app, err, prod)
	}
	_, _, err = c.Apps.Create(ctx, &godo.AppCreateRequest{Spec: imageSpec("other", "acme/web"), ProjectID: "4e1bfbc3-dc3e-41f2-a18f-1b4d7ba71679"})
	if apiStatus(err) != http.StatusBadRequest {
		t.Errorf("create in a missing project = %v; want 400", err)
	}
	res, _, err := c.Projects.ListResources(ctx, prod, nil)
	if err != nil || len(res) != 1 || res[0].URN != "do:app:"+app.ID {
		t.Errorf("ListResources = %+v, %v; want the app", res, err)
	}
}

// A registry push deploys the pushed tag, with docr_push cause details.
func TestRegistryPushDeployment(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, srv.Token())
	ctx := context.Background()
	app := create(t, c, imageSpec("web", "acme/web"))
	live(t, c, clock, app.ID)
	id, err := srv.StartDeployment(app.ID, dosim.RegistryPush("acme", "web", "1.2.4", "sha256:"+strings.Repeat("a", 64)))
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := c.Apps.GetDeployment(ctx, app.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Spec.Services[0].Image.Tag != "1.2.4" || d.CauseDetails.DOCRPush == nil || d.CauseDetails.DOCRPush.Tag != "1.2.4" {
		t.Errorf("registry push deployment = tag %q, %+v; want 1.2.4 with docr_push details", d.Spec.Services[0].Image.Tag, d.CauseDetails)
	}
	got, _, _ := c.Apps.Get(ctx, app.ID)
	if got.Spec.Services[0].Image.Tag != "1.2.4" {
		t.Errorf("app spec tag = %q after the push; want 1.2.4", got.Spec.Services[0].Image.Tag)
	}
}

// Detect, served outside the description, still checks the token and its
// scopes.
func TestDetectNeedsAToken(t *testing.T) {
	srv := dotest.New(t, dotest.Options{Scopes: map[string][]string{"reader": {"app:read"}, "creator": {"app:create"}}})
	req := &godo.DetectRequest{GitHub: &godo.GitHubSourceSpec{Repo: "acme/web"}}
	for _, tt := range []struct {
		token string
		want  int
	}{{"reader", http.StatusForbidden}, {"nobody", http.StatusUnauthorized}} {
		if _, _, err := srv.Client(t, tt.token).Apps.Detect(context.Background(), req); apiStatus(err) != tt.want {
			t.Errorf("Detect with token %s = %v; want %d", tt.token, err, tt.want)
		}
	}
	if _, _, err := srv.Client(t, "creator").Apps.Detect(context.Background(), req); err != nil {
		t.Errorf("Detect with app:create = %v; want it served", err)
	}
}

// Rolling a Git-sourced app back runs the commit the old deployment built,
// not the branch's head.
func TestGitRollbackKeepsItsCommit(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, srv.Token())
	app := create(t, c, gitSpec("web"))
	first := live(t, c, clock, app.ID).ActiveDeployment
	pushed, err := srv.StartDeployment(app.ID, dosim.Push("github.com/acme/web", "feedfacecafe", "ana", "new"))
	if err != nil {
		t.Fatal(err)
	}
	if got := live(t, c, clock, app.ID).ActiveDeployment; got.ID != pushed {
		t.Fatalf("active = %s; want the pushed %s", got.ID, pushed)
	}
	var out struct {
		Deployment *godo.Deployment `json:"deployment"`
	}
	if _, err := post(t, c, "/v2/apps/"+app.ID+"/rollback", map[string]any{"deployment_id": first.ID, "skip_pin": true}, &out); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if h, want := out.Deployment.Services[0].SourceCommitHash, first.Services[0].SourceCommitHash; h != want {
		t.Errorf("rollback builds %q; want the first deployment's %q", h, want)
	}
}
