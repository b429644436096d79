package commands_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/commands"
	"dobot/internal/dotest"
	"dobot/internal/storetest"
)

// createdSpec is the spec of the one create request the server received.
func (h *harness) createdSpec(t *testing.T) *godo.AppSpec {
	t.Helper()
	var specs []*godo.AppSpec
	for _, r := range h.do.Requests() {
		if r.Method == "POST" && r.Path == "/v2/apps" {
			var req godo.AppCreateRequest
			if err := json.Unmarshal(r.Body, &req); err != nil {
				t.Fatal(err)
			}
			specs = append(specs, req.Spec)
		}
	}
	if len(specs) != 1 {
		t.Fatalf("%d create requests; want 1", len(specs))
	}
	return specs[0]
}

func TestLaunchFromGitHubRepoUsesItsSourceAndShowsComponents(t *testing.T) {
	// Phases of a second: the watcher polls every 20 ms, so even a busy
	// machine sees the build phase rather than skipping past it.
	h := newHarnessWith(t, commands.Config{Region: "nyc3"}, dotest.Options{Token: "tok", PhaseDelay: time.Second}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch shop --git https://github.com/acme/shop --branch main")
	op := h.waitOp(t, 1)
	if op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s\n%s", op.State, op.Error, strings.Join(h.chat.all(), "\n"))
	}
	spec := h.createdSpec(t)
	if len(spec.Services) != 1 || len(spec.StaticSites) != 1 || len(spec.Workers) != 1 {
		t.Fatalf("created spec = %+v; want the three detected components", spec)
	}
	gh := spec.Services[0].GitHub
	if gh == nil || gh.Repo != "acme/shop" || gh.Branch != "main" || gh.DeployOnPush || spec.Services[0].Git != nil {
		t.Errorf("service source = %+v; want github acme/shop on main without deploy_on_push", gh)
	}
	all := strings.Join(h.chat.all(), "\n")
	for _, want := range []string{"Source: https://github.com/acme/shop (branch main)", "Components: service api", "static site site", "worker worker", "Deploy on push: off", "Cost: $"} {
		if !strings.Contains(all, want) {
			t.Errorf("messages lack %q:\n%s", want, all)
		}
	}
	// The build and each component's progress are in the thread.
	var thread []string
	for _, m := range h.chat.replies(op.MessageTS) {
		thread = append(thread, m.Text)
	}
	text := strings.Join(thread, "\n")
	// Each component's final state is always seen; the deploy step in
	// between may fall between two polls.
	for _, want := range []string{"Building", "api: ✅ deployed", "site: ✅ deployed", "worker: ✅ deployed"} {
		if !strings.Contains(text, want) {
			t.Errorf("thread lacks %q:\n%s", want, text)
		}
	}
	app, err := h.db.App(context.Background(), "shop")
	if err != nil || !strings.Contains(app.Image, "github.com/acme/shop") || app.ThreadTS != op.MessageTS {
		t.Errorf("stored app = %+v, %v; want it recorded with its repository", app, err)
	}
}

func TestLaunchFromGitSourcesByHost(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch tool --git https://git.example.com/acme/tool.git --deploy-on-push")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s", op.State, op.Error)
	}
	spec := h.createdSpec(t)
	if len(spec.Services) != 1 || spec.Services[0].Git == nil || spec.Services[0].Git.RepoCloneURL != "https://git.example.com/acme/tool.git" || spec.Services[0].GitHub != nil {
		t.Errorf("created spec = %+v; want a plain git source", spec.Services)
	}
}

func TestLaunchFromGitLabDeploysOnPushOnlyWhenAsked(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch site --git gitlab.com/acme/site --deploy-on-push")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s", op.State, op.Error)
	}
	spec := h.createdSpec(t)
	if len(spec.StaticSites) != 1 || spec.StaticSites[0].GitLab == nil || !spec.StaticSites[0].GitLab.DeployOnPush {
		t.Errorf("created spec = %+v; want a gitlab static site deploying on push", spec)
	}
	if all := strings.Join(h.chat.all(), "\n"); !strings.Contains(all, "deploys on every push") {
		t.Errorf("card lacks the deploy-on-push warning:\n%s", all)
	}
}

func TestLaunchFromPrivateRepoSaysConnectGitHubAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	got := h.run("UDEP", "launch secret --git https://github.com/acme/private")
	if !strings.Contains(got, "connect GitHub to DigitalOcean first") {
		t.Errorf("private repo answered %q; want the connect-GitHub advice", got)
	}
	h.do.DisconnectGitHub(true)
	got = h.run("UDEP", "launch web --git https://github.com/acme/web")
	if !strings.Contains(got, "connect GitHub to DigitalOcean first") {
		t.Errorf("disconnected account answered %q; want the connect-GitHub advice", got)
	}
	if n := h.do.Count("POST /v2/apps"); n != 0 {
		t.Errorf("%d apps created; want none", n)
	}
	if ops, err := h.db.UnfinishedOperations(context.Background()); err != nil || len(ops) != 0 {
		t.Errorf("unfinished operations = %v, %v; want none", ops, err)
	}
}

func TestLaunchFromEmptyRepoFallsBackToDockerfileAndSaysSo(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch empty --git github.com/acme/empty --dry-run")
	all := strings.Join(h.chat.all(), "\n")
	if !strings.Contains(all, "Dockerfile") {
		t.Errorf("fallback not said:\n%s", all)
	}
	if n := h.do.Count("POST /v2/apps"); n != 0 {
		t.Errorf("a dry run created %d apps", n)
	}
}

const pastedSpec = "launch --spec --reason \"from a spec\"\n```yaml\nname: shop\nservices:\n- name: api\n  image:\n    registry_type: DOCKER_HUB\n    registry: library\n    repository: nginx\n    tag: \"1.27\"\n  http_port: 80\n  instance_size_slug: apps-s-1vcpu-1gb\n  instance_count: 2\n  envs:\n  - key: DB_URL\n    value: pg-hunter2-secret\n    type: SECRET\n  - key: API_TOKEN\n    value: tok-hunter3\n  - key: MODE\n    value: prod\n- name: admin\n  image:\n    registry_type: DOCKER_HUB\n    registry: library\n    repository: nginx\n    tag: \"1.27\"\n  http_port: 80\n  routes:\n  - path: /admin\nworkers:\n- name: jobs\n  image:\n    registry_type: DOCKER_HUB\n    repository: busybox\n    tag: \"1\"\n```"

func TestLaunchFromPastedSpecMasksSecretsAndShowsComponents(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", pastedSpec)
	op := h.waitOp(t, 1)
	if op.State != dobot.OpSucceeded || op.App != "shop" {
		t.Fatalf("launch = %+v\n%s", op, strings.Join(h.chat.all(), "\n"))
	}
	spec := h.createdSpec(t)
	if len(spec.Services) != 2 || len(spec.Workers) != 1 || spec.Services[0].InstanceCount != 2 {
		t.Fatalf("created spec = %+v; want the pasted one", spec)
	}
	sent := map[string]*godo.AppVariableDefinition{}
	for _, e := range spec.Services[0].Envs {
		sent[e.Key] = e
	}
	if e := sent["DB_URL"]; e == nil || e.Value != "pg-hunter2-secret" || e.Type != godo.AppVariableType_Secret {
		t.Errorf("DB_URL sent as %+v; want its value, SECRET", e)
	}
	if e := sent["API_TOKEN"]; e == nil || e.Type != godo.AppVariableType_Secret {
		t.Errorf("API_TOKEN sent as %+v; want SECRET (its key looks secret)", e)
	}
	all := strings.Join(h.chat.all(), "\n")
	for _, want := range []string{"service api", "service admin", "worker jobs", "Source: app spec (3 components)"} {
		if !strings.Contains(all, want) {
			t.Errorf("messages lack %q:\n%s", want, all)
		}
	}
	// No secret value is kept: not in the operation, its command text, or the audit.
	stored, err := h.db.Operation(context.Background(), op.ID)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := h.db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{stored.Args, stored.CommandText, all}
	for _, e := range entries {
		texts = append(texts, e.CommandText, e.Details, e.Error)
	}
	for _, s := range texts {
		for _, secret := range []string{"hunter2", "hunter3"} {
			if strings.Contains(s, secret) {
				t.Errorf("secret %q kept in %q", secret, s)
			}
		}
	}
	if !strings.Contains(stored.CommandText, "value: "+dobot.Masked) || !strings.Contains(stored.CommandText, "value: prod") {
		t.Errorf("stored command text = %q; want secret values masked and others kept", stored.CommandText)
	}
}

func TestLaunchSpecNameOverriddenByTypedName(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", strings.Replace(pastedSpec, "launch --spec", "launch review --spec", 1))
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded || op.App != "review" {
		t.Fatalf("launch = %+v", op)
	}
	if spec := h.createdSpec(t); spec.Name != "review" {
		t.Errorf("created name %q; want review", spec.Name)
	}
	if all := strings.Join(h.chat.all(), "\n"); !strings.Contains(all, "the spec's name shop was replaced by review") {
		t.Errorf("card does not say the name was replaced:\n%s", all)
	}
}

func TestLaunchSpecRefusedByProposeChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	got := h.run("UDEP", "launch --spec\n```\nname: bad\nservices:\n- name: api\n  instance_count: 3\n  image: {registry_type: DOCKER_HUB, repository: nginx}\n```")
	if !strings.Contains(got, "App Platform refused the spec") || !strings.Contains(got, "instance_count") || h.do.Count("POST /v2/apps") != 0 {
		t.Errorf("bad spec answered %q with %d creates; want a refusal and none", got, h.do.Count("POST /v2/apps"))
	}
}

func TestLaunchSourceParseErrors(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	for _, c := range []struct{ in, want string }{
		{"launch web --git https://github.com/acme/web --image nginx", "leave it out with --git"},
		{"launch web --git ftp://example.com/x", "bad --git"},
		{"launch web --git https://github.com/acme", "bad --git"},
		{"launch web --git https://github.com/acme/web --spec", "not both"},
		{"launch web --branch main --image nginx", "go with --git"},
		{"launch --spec", "needs the app spec in a code block"},
		{"launch web --image nginx\n```\nname: web\n```", "add --spec"},
		{"status web\n```\nname: web\n```", "takes no code block"},
		{"launch --spec\n```\nname: web\nservces: []\n```", "servces"},
		{"launch --spec --size apps-s-1vcpu-1gb\n```\nname: web\nservices:\n- name: web\n```", "set them in the spec"},
		{"launch web --git https://github.com/acme/web --droplet", "--droplet"},
	} {
		if got := h.run("UDEP", c.in); !strings.Contains(got, c.want) {
			t.Errorf("%q answered %q; want %q", c.in, got, c.want)
		}
	}
	if n := h.do.Count("POST /v2/apps"); n != 0 {
		t.Errorf("%d apps created; want none", n)
	}
}

// A Git launch created but not recorded is found again after a restart by
// its name, creation time and repository, and never created twice.
func TestGitLaunchCreatedButNotRecordedIsAdoptedNotCreatedAgain(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	if err := db.SetRole(ctx, "UDEPLOY", dobot.RoleDeployer, "test"); err != nil {
		t.Fatal(err)
	}
	srv := dotest.New(t, dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond})
	first := startBot(t, &failingRecordStore{DB: db}, srv, nil)
	first.run("UDEPLOY", "launch web --git https://github.com/acme/web")
	waitFor(t, "the create", func() bool { return len(srv.Apps()) == 1 })
	waitFor(t, "the not-recorded reply", func() bool {
		first.chat.mu.Lock()
		defer first.chat.mu.Unlock()
		for _, s := range first.chat.sent {
			if strings.Contains(s.Msg.Text, "could not record it") {
				return true
			}
		}
		return false
	})
	first.stop()
	second := startBot(t, db, srv, nil)
	var app dobot.App
	var err error
	waitFor(t, "web taken over after the restart", func() bool {
		app, err = db.App(ctx, "web")
		return err == nil
	})
	second.stop()
	if app.ResourceID != srv.Apps()[0].ID || !strings.Contains(app.Image, "github.com/acme/web") {
		t.Errorf("stored app = %+v; want DigitalOcean's %s from the repository", app, srv.Apps()[0].ID)
	}
	if n := srv.Count("POST /v2/apps"); n != 1 {
		t.Errorf("POST /v2/apps sent %d times; want 1", n)
	}
}
