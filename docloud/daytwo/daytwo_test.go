package daytwo_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/docloud/appspec"
	"dobot/docloud/daytwo"
	"dobot/internal/dosim"
	"dobot/internal/dotest"
	"dobot/internal/testclock"
)

const phase = 200 * time.Millisecond

func ghcrSpec(name string) *godo.AppSpec {
	return &godo.AppSpec{Name: name, Region: "ams", Services: []*godo.AppServiceSpec{{
		Name:             "web",
		Image:            &godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_Ghcr, Registry: "acme", Repository: "web", Tag: "1.2.3"},
		InstanceSizeSlug: "apps-s-1vcpu-1gb", InstanceCount: 1, HTTPPort: 8080,
	}}}
}

// goLive creates spec and steps the clock until it is live.
func goLive(t *testing.T, client *godo.Client, clk *clock, spec *godo.AppSpec) *godo.App {
	t.Helper()
	ctx := context.Background()
	app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: spec})
	if err != nil {
		t.Fatalf("create %s: %v", spec.Name, err)
	}
	clk.Advance(3 * phase)
	app, _, err = client.Apps.Get(ctx, app.ID)
	if err != nil || app.ActiveDeployment == nil {
		t.Fatalf("app %s not live: %v", spec.Name, err)
	}
	return app
}

func TestProposeMultiComponent(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	ctx := context.Background()
	prices := &docloud.Prices{Apps: client.Apps, Sizes: client.Sizes}
	if _, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: ghcrSpec("shop")}); err != nil {
		t.Fatal(err)
	}
	det, err := appspec.Detect(ctx, client.Apps, appspec.GitSource{URL: "https://github.com/acme/shop", DeployOnPush: true})
	if err != nil {
		t.Fatal(err)
	}
	spec := appspec.BuildGitSpec("shop", "fra", appspec.GitSource{URL: "https://github.com/acme/shop", DeployOnPush: true}, det)
	spec.Services[0].InstanceSizeSlug, spec.Services[0].InstanceCount = "apps-d-1vcpu-0.5gb", 2
	p, err := appspec.Propose(ctx, client.Apps, prices, spec, "")
	if err != nil {
		t.Fatalf("Propose: %v", err)
	}
	want := []docloud.ComponentCost{
		{Kind: "service", Name: "api", Size: "apps-d-1vcpu-0.5gb", Instances: 2, Cents: 5800},
		{Kind: "worker", Name: "worker", Size: "apps-s-1vcpu-0.5gb", Instances: 1, Cents: 500},
		{Kind: "static site", Name: "site"},
	}
	if !slices.Equal(p.Components, want) || p.AppCostCents != 6300 {
		t.Errorf("Propose = %+v, app cost %d; want %+v, 6300", p.Components, p.AppCostCents, want)
	}
	text := strings.Join(p.Warnings, "\n")
	for _, w := range []string{`the name "shop" is taken`, "intends to retire", "deploys on every push"} {
		if !strings.Contains(text, w) {
			t.Errorf("warnings %q lack %q", text, w)
		}
	}
	spec.Services[0].InstanceSizeSlug = "apps-s-1vcpu-0.5gb"
	if _, err := appspec.Propose(ctx, client.Apps, prices, spec, ""); apiStatus(err) != 400 {
		t.Errorf("Propose of two single-instance instances = %v; want DigitalOcean's 400", err)
	}
}

func apiStatus(err error) int {
	var e *godo.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

func TestPlanScale(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	ctx := context.Background()
	prices := &docloud.Prices{Apps: client.Apps, Sizes: client.Sizes}
	spec := ghcrSpec("web")
	s, err := daytwo.PlanScale(ctx, prices, spec, daytwo.ScaleRequest{Instances: 3})
	if err != nil {
		t.Fatalf("PlanScale: %v", err)
	}
	if s.BeforeCents != 1200 || s.AfterCents != 3600 || s.ToInstances != 3 || s.Spec.Services[0].InstanceCount != 3 || spec.Services[0].InstanceCount != 1 {
		t.Errorf("PlanScale = %+v; want $12 → $36 on a copy", s)
	}
	s, err = daytwo.PlanScale(ctx, prices, spec, daytwo.ScaleRequest{Size: "apps-d-1vcpu-0.5gb"})
	if err != nil || !s.Retiring || s.AfterCents != 2900 {
		t.Errorf("PlanScale to a retiring size = %+v, %v; want allowed, flagged, $29", s, err)
	}
	_, err = daytwo.PlanScale(ctx, prices, spec, daytwo.ScaleRequest{Size: "apps-s-1vcpu-0.5gb", Instances: 2})
	var single *docloud.SingleInstanceError
	if !errors.As(err, &single) || len(single.Allowing) == 0 || single.Allowing[0].SingleInstanceOnly {
		t.Errorf("PlanScale of two single-instance instances = %v; want a SingleInstanceError listing sizes that allow more", err)
	}
	var unknown *docloud.UnknownSizeError
	if _, err := daytwo.PlanScale(ctx, prices, spec, daytwo.ScaleRequest{Size: "huge"}); !errors.As(err, &unknown) {
		t.Errorf("PlanScale to an unknown size = %v; want an UnknownSizeError", err)
	}
	var comp *daytwo.ComponentError
	if _, err := daytwo.PlanScale(ctx, prices, spec, daytwo.ScaleRequest{Component: "api", Instances: 2}); !errors.As(err, &comp) {
		t.Errorf("PlanScale of a missing component = %v; want a ComponentError", err)
	}
}

func TestRestart(t *testing.T) {
	clk := testclock.New(time.Now())
	_, client := newCloud(t, dotest.Options{Clock: clk.Now, PhaseDelay: phase})
	app := goLive(t, client, clk, ghcrSpec("web"))
	d, err := daytwo.Restart(context.Background(), client.Apps, app.ID)
	if err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if d.Phase != godo.DeploymentPhase_PendingDeploy {
		t.Errorf("restart phase = %s; want PENDING_DEPLOY (no build)", d.Phase)
	}
}

// Env set of a secret, then env unset of another key, keeps the secret:
// the EV[…] values go back unchanged and App Platform keeps them.
func TestEnvKeepsSecrets(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	ctx := context.Background()
	spec := ghcrSpec("web")
	spec.Services[0].Envs = []*godo.AppVariableDefinition{
		{Key: "DB_PASSWORD", Value: "hunter2", Type: godo.AppVariableType_Secret},
		{Key: "MODE", Value: "slow", Type: godo.AppVariableType_General},
	}
	app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	sealed := app.Spec.Services[0].Envs[0].Value

	next, err := daytwo.EnvSet(app.Spec, "", "API_TOKEN", "s3cret", true)
	if err != nil {
		t.Fatal(err)
	}
	if app, _, err = client.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: next}); err != nil {
		t.Fatalf("update after env set: %v", err)
	}
	next, found, err := daytwo.EnvUnset(app.Spec, "", "MODE")
	if err != nil || !found {
		t.Fatalf("EnvUnset = %v, %v; want MODE found", found, err)
	}
	if app, _, err = client.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: next}); err != nil {
		t.Fatalf("update after env unset: %v", err)
	}
	vars := daytwo.EnvList(app.Spec)
	want := []daytwo.EnvVar{
		{Component: "", Key: "API_TOKEN", Scope: godo.AppVariableScope_RunAndBuildTime, Type: godo.AppVariableType_Secret},
		{Component: "web", Key: "DB_PASSWORD", Type: godo.AppVariableType_Secret},
	}
	if !slices.Equal(vars, want) {
		t.Errorf("EnvList = %+v; want %+v", vars, want)
	}
	if v := app.Spec.Services[0].Envs[0].Value; v != sealed {
		t.Errorf("DB_PASSWORD = %q after two updates; want the sealed %q kept", v, sealed)
	}
	again, _ := daytwo.EnvSet(app.Spec, "", "DB_PASSWORD", "new", false)
	if v := again.Services[0].Envs[0]; v.Type != godo.AppVariableType_Secret || v.Value != "new" {
		t.Errorf("EnvSet over a SECRET without --secret = %+v; want it to stay SECRET", v)
	}
	if _, found, _ := daytwo.EnvUnset(app.Spec, "", "NOPE"); found {
		t.Error("EnvUnset of a missing key reports it found")
	}
	var comp *daytwo.ComponentError
	if _, err := daytwo.EnvSet(app.Spec, "api", "A", "b", false); !errors.As(err, &comp) {
		t.Errorf("EnvSet in a missing component = %v; want a ComponentError", err)
	}
}

func TestDomainsPendingToActive(t *testing.T) {
	clk := testclock.New(time.Now())
	srv, client := newCloud(t, dotest.Options{Clock: clk.Now, PhaseDelay: phase})
	ctx := context.Background()
	app := goLive(t, client, clk, ghcrSpec("web"))
	srv.HoldDomain("example.com", true)
	spec, err := daytwo.AddDomain(app.Spec, "www.example.com", true)
	if err != nil {
		t.Fatal(err)
	}
	if spec, err = daytwo.AddDomain(spec, "example.com", true); err != nil {
		t.Fatal(err)
	}
	if app, _, err = client.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: spec}); err != nil {
		t.Fatalf("update with domains: %v", err)
	}
	ds := daytwo.Domains(app)
	if len(ds) != 2 || ds[0].Primary || !ds[1].Primary || ds[1].Phase != godo.AppJobSpecKindPHASE_Pending || !strings.HasPrefix(ds[1].TXT, "_acme-challenge.example.com TXT ") {
		t.Fatalf("Domains = %+v; want www as alias, the apex primary and PENDING with its TXT record", ds)
	}
	clk.Advance(2 * phase)
	srv.HoldDomain("example.com", false)
	app, _, _ = client.Apps.Get(ctx, app.ID)
	if p, ok := daytwo.DomainPhase(app, "www.example.com"); !ok || p != godo.AppJobSpecKindPHASE_Active {
		t.Errorf("www phase = %s; want ACTIVE", p)
	}
	if p, _ := daytwo.DomainPhase(app, "example.com"); p != godo.AppJobSpecKindPHASE_Configuring {
		t.Errorf("released apex phase = %s; want CONFIGURING", p)
	}
	clk.Advance(2 * phase)
	app, _, _ = client.Apps.Get(ctx, app.ID)
	if p, _ := daytwo.DomainPhase(app, "example.com"); p != godo.AppJobSpecKindPHASE_Active {
		t.Errorf("apex phase = %s; want ACTIVE", p)
	}
	spec, err = daytwo.RemoveDomain(app.Spec, "www.example.com")
	if err != nil || len(spec.Domains) != 1 {
		t.Fatalf("RemoveDomain = %+v, %v", spec, err)
	}
	var de *daytwo.DomainError
	if _, err := daytwo.RemoveDomain(spec, "www.example.com"); !errors.As(err, &de) {
		t.Errorf("removing a missing domain = %v; want a DomainError", err)
	}
	if _, err := daytwo.AddDomain(spec, "not a domain", false); !errors.As(err, &de) {
		t.Errorf("adding a bad domain = %v; want a DomainError", err)
	}
}

// TestProjectSetting: an unset DO_PROJECT asks nothing, a name that
// matches nothing says how to fix the setting, and a name resolves.
func TestProjectSetting(t *testing.T) {
	srv, client := newCloud(t, dotest.Options{})
	ctx := context.Background()
	if p, err := daytwo.ProjectSetting(ctx, nil, ""); p != nil || err != nil {
		t.Errorf("ProjectSetting(unset) = %+v, %v; want nothing", p, err)
	}
	if _, err := daytwo.ProjectSetting(ctx, nil, "prod"); err == nil || !strings.Contains(err.Error(), "no DigitalOcean projects service") {
		t.Errorf("ProjectSetting without a service = %v; want it refused", err)
	}
	prod := srv.AddProject("Acme Prod", "Production")
	if p, err := daytwo.ProjectSetting(ctx, client.Projects, "acme prod"); err != nil || p.ID != prod {
		t.Errorf("ProjectSetting(acme prod) = %+v, %v; want %s", p, err, prod)
	}
	_, err := daytwo.ProjectSetting(ctx, client.Projects, "staging")
	var pe *daytwo.ProjectError
	if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "DO_PROJECT: ") || !strings.HasSuffix(err.Error(), "or unset it to use the default project") {
		t.Errorf("ProjectSetting(staging) = %v; want a ProjectError saying how to fix DO_PROJECT", err)
	}
}

func TestProjects(t *testing.T) {
	clk := testclock.New(time.Now())
	srv, client := newCloud(t, dotest.Options{Clock: clk.Now})
	ctx := context.Background()
	prod := srv.AddProject("Acme Prod", "Production")
	for _, in := range []string{"acme prod", prod} {
		p, err := daytwo.ResolveProject(ctx, client.Projects, in)
		if err != nil || p.ID != prod {
			t.Errorf("ResolveProject(%q) = %+v, %v; want %s", in, p, err, prod)
		}
	}
	var pe *daytwo.ProjectError
	if _, err := daytwo.ResolveProject(ctx, client.Projects, "staging"); !errors.As(err, &pe) || !slices.Contains(pe.Known, "Acme Prod") {
		t.Errorf("ResolveProject(staging) = %v; want a ProjectError naming the projects", err)
	}
	srv.AddProject("twin", "Staging")
	srv.AddProject("twin", "Staging")
	if _, err := daytwo.ResolveProject(ctx, client.Projects, "twin"); !errors.As(err, &pe) || !pe.Many {
		t.Errorf("ResolveProject(twin) = %v; want an ambiguity error", err)
	}
	app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: ghcrSpec("web")})
	if err != nil {
		t.Fatal(err)
	}
	if err := daytwo.AssignToProject(ctx, client.Projects, prod, daytwo.AppURN(app.ID)); err != nil {
		t.Fatalf("AssignToProject: %v", err)
	}
	if as := srv.Assignments(); len(as) != 1 || as[0].URN != "do:app:"+app.ID || as[0].ProjectID != prod {
		t.Errorf("Assignments = %+v; want the app in %s", as, prod)
	}
	if err := daytwo.AssignToProject(ctx, client.Projects, prod, daytwo.DropletURN(42)); err == nil || !strings.Contains(err.Error(), "not_found") {
		t.Errorf("assigning a missing droplet = %v; want an error saying not_found", err)
	}
}

func TestSpecDiffAndHash(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	ctx := context.Background()
	prices := &docloud.Prices{Apps: client.Apps, Sizes: client.Sizes}
	old := ghcrSpec("web")
	old.Services[0].Envs = []*godo.AppVariableDefinition{{Key: "API_KEY", Value: "EV[1:abc:def]", Type: godo.AppVariableType_Secret}}
	next := docloud.CopySpec(old)
	next.Services[0].InstanceCount = 2
	next.Services[0].Image.Tag = "1.2.4"
	next.Services[0].Envs[0].Value = "hunter2"
	next.Workers = []*godo.AppWorkerSpec{{Name: "jobs", Image: old.Services[0].Image, InstanceSizeSlug: "apps-s-1vcpu-0.5gb"}}
	plan, err := daytwo.PlanChange(ctx, prices, old, next)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(plan.Lines(), "\n")
	want := strings.Join([]string{
		"~ services.web.envs.API_KEY.value: ••• → •••",
		"~ services.web.image.tag: 1.2.3 → 1.2.4",
		"~ services.web.instance_count: 1 → 2",
		"+ workers.jobs: added",
		"cost: $12.00/month → $29.00/month",
	}, "\n")
	if got != want {
		t.Errorf("plan =\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "hunter2") || strings.Contains(got, "EV[") {
		t.Errorf("plan shows a secret: %s", got)
	}
	if d := daytwo.SpecDiff(old, docloud.CopySpec(old)); len(d) != 0 {
		t.Errorf("SpecDiff of a copy = %v; want nothing", d)
	}
	if !strings.Contains(dobot.Masked, "•") {
		t.Fatal("dobot.Masked changed")
	}

	h := daytwo.SpecHash(old)
	if !strings.HasPrefix(h, "sha256:") || h != daytwo.SpecHash(docloud.CopySpec(old)) {
		t.Errorf("SpecHash is not stable: %s vs %s", h, daytwo.SpecHash(docloud.CopySpec(old)))
	}
	if h == daytwo.SpecHash(next) || strings.Contains(h, "abc") {
		t.Errorf("SpecHash(%s) does not follow the change", h)
	}
	// The hash survives a trip through App Platform and back.
	app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: ghcrSpec("hashed")})
	if err != nil {
		t.Fatal(err)
	}
	got2, _, _ := client.Apps.Get(ctx, app.ID)
	if daytwo.SpecHash(app.Spec) != daytwo.SpecHash(got2.Spec) {
		t.Error("SpecHash differs between the create answer and a get")
	}
}

// Deployments started elsewhere are found with one GET /v2/apps a minute,
// and a failed one with one more call for its app only.
func TestElsewhereFinder(t *testing.T) {
	clk := testclock.New(time.Now())
	srv, client := newCloud(t, dotest.Options{Clock: clk.Now, PhaseDelay: phase})
	ctx := context.Background()
	spec := ghcrSpec("web")
	spec.Services[0].Image = nil
	spec.Services[0].GitHub = &godo.GitHubSourceSpec{Repo: "acme/web", Branch: "main", DeployOnPush: true}
	web := goLive(t, client, clk, spec)
	other := goLive(t, client, clk, ghcrSpec("other"))
	managed := map[string]daytwo.Known{
		web.ID:   {DeploymentID: web.ActiveDeployment.ID, CreatedAt: web.ActiveDeployment.CreatedAt},
		other.ID: {DeploymentID: other.ActiveDeployment.ID, CreatedAt: other.ActiveDeployment.CreatedAt},
	}
	f := &daytwo.ElsewhereFinder{Apps: client.Apps, Now: clk.Now}
	ours := map[string]bool{}
	isOurs := func(id string) bool { return ours[id] }

	found, polled, err := f.Find(ctx, managed, isOurs)
	if err != nil || !polled || len(found) != 0 {
		t.Fatalf("first Find = %v, %v, %v; want a poll finding nothing", found, polled, err)
	}
	clk.Advance(time.Second)
	pushed, err := srv.StartDeployment(web.ID, dosim.Push("https://github.com/acme/web", "abc123def456", "ana", "fix"))
	if err != nil {
		t.Fatal(err)
	}
	if _, polled, _ := f.Find(ctx, managed, isOurs); polled {
		t.Error("Find listed the apps twice within a minute")
	}
	clk.Advance(time.Minute)
	found, polled, err = f.Find(ctx, managed, isOurs)
	if err != nil || !polled || len(found) != 1 || found[0].Deployment.ID != pushed {
		t.Fatalf("Find after a push = %+v, %v, %v; want the pushed deployment", found, polled, err)
	}
	d := found[0].Deployment
	if c := daytwo.DeploymentCause(d); c != "push of abc123d to acme/web by ana" || daytwo.DeploymentCommit(d) != "abc123def456" {
		t.Errorf("cause %q commit %q; want the push and its commit", c, daytwo.DeploymentCommit(d))
	}
	managed[web.ID] = daytwo.Known{DeploymentID: d.ID, CreatedAt: d.CreatedAt}
	// One the bot started itself is not reported.
	clk.Advance(time.Minute)
	mine, _, _ := client.Apps.CreateDeployment(ctx, other.ID)
	ours[mine.ID] = true
	o := dosim.Manual("raj@example.com")
	o.FailAt, o.Reason = "build", "exit 1"
	failed, _ := srv.StartDeployment(web.ID, o)
	clk.Advance(3 * phase)
	lists, deps := srv.Count("GET /v2/apps"), srv.Count("GET /v2/apps/{app_id}/deployments")
	found, _, err = f.Find(ctx, managed, isOurs)
	if err != nil || len(found) != 1 || found[0].Deployment.ID != failed || found[0].Deployment.Phase != godo.DeploymentPhase_Error {
		t.Fatalf("Find after a failed manual deployment = %+v, %v; want it, in ERROR", found, err)
	}
	if daytwo.DeploymentCause(found[0].Deployment) != "manual, by raj@example.com" {
		t.Errorf("cause = %q", daytwo.DeploymentCause(found[0].Deployment))
	}
	if n, m := srv.Count("GET /v2/apps")-lists, srv.Count("GET /v2/apps/{app_id}/deployments")-deps; n != 1 || m != 1 {
		t.Errorf("Find made %d app lists and %d deployment lists; want 1 and 1", n, m)
	}
}

func TestSpecDiffShapes(t *testing.T) {
	base := ghcrSpec("web")
	base.Services[0].Envs = []*godo.AppVariableDefinition{{Key: "MODE", Value: "slow", Type: godo.AppVariableType_General}}
	tests := []struct {
		name   string
		change func(s *godo.AppSpec)
		want   []string
	}{
		{"env added to a component", func(s *godo.AppSpec) {
			s.Services[0].Envs = append(s.Services[0].Envs, &godo.AppVariableDefinition{Key: "TOKEN", Value: "x", Type: godo.AppVariableType_Secret})
		}, []string{"+ services.web.envs.TOKEN: added"}},
		{"general value changed", func(s *godo.AppSpec) { s.Services[0].Envs[0].Value = "fast" },
			[]string{"~ services.web.envs.MODE.value: slow → fast"}},
		{"component removed", func(s *godo.AppSpec) { s.Services = nil; s.Workers = []*godo.AppWorkerSpec{{Name: "w"}} },
			[]string{"+ workers.w: added", "- services.web: removed"}},
		{"domain added", func(s *godo.AppSpec) {
			s.Domains = []*godo.AppDomainSpec{{Domain: "example.com", Type: godo.AppDomainSpecType_Primary}}
		}, []string{"+ domains.example.com: added"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := docloud.CopySpec(base)
			tt.change(next)
			var got []string
			for _, c := range daytwo.SpecDiff(base, next) {
				got = append(got, c.String())
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("SpecDiff = %q; want %q", got, want)
			}
		})
	}
}

// newCloud starts a strict DigitalOcean test server and a godo client for it.
func newCloud(t *testing.T, opts dotest.Options) (*dotest.Server, *godo.Client) {
	t.Helper()
	srv := dotest.New(t, opts)
	return srv, srv.Client(t, "")
}

// clock is a test clock the server derives deployment phases from.
type clock = testclock.Clock
